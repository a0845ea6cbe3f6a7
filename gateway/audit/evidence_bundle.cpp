#include "audit/evidence_bundle.h"

#include "audit/audit_log.h"
#include "audit/log_files.h"
#include "audit/merkle.h"
#include "audit/streamed_proofs.h"
#include "common/clock.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <functional>
#include <sstream>

namespace vikno::gateway::audit {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string case_of(const std::string& line) {
    try {
        Poco::JSON::Parser parser;
        return parser.parse(line).extract<Object::Ptr>()->optValue<std::string>("case_id", "");
    } catch (const std::exception&) {
        return {};
    }
}

Object::Ptr checkpoint_json(const Checkpoint& c) {
    Object::Ptr json = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    json->set("tree_size", c.tree_size);
    json->set("root", to_hex(c.root));
    json->set("at", c.at);
    json->set("algorithm", c.algorithm);
    json->set("key_id", c.key_id);
    json->set("signature", crypto::base64(c.signature));
    json->set("signed_text", checkpoint_text(c.tree_size, c.root, c.at));
    return json;
}

}  // namespace

Result<std::string> export_bundle(const std::string& dir, const std::string& case_id,
                                  const crypto::Certificate& audit_certificate,
                                  const std::map<std::string, std::string>& other_certificates) {
    // The log may hold millions of entries: it is read twice, a block at a time, and only the case's
    // own lines and a few partial subtrees per proof are kept (StreamedProofs).
    const std::string entries_path = dir + "/" + kEntriesFile;
    std::vector<std::uint64_t> indices;
    std::vector<std::string> lines;
    // A case id is hex and dashes, which JSON never escapes: a line without it is not the case's.
    if (!case_id.empty()) {
        const std::boyer_moore_horspool_searcher has_case_id(case_id.begin(), case_id.end());
        for_each_line(entries_path, [&](std::uint64_t seq, std::string_view line) {
            if (std::search(line.begin(), line.end(), has_case_id) != line.end() &&
                case_of(std::string(line)) == case_id) {
                indices.push_back(seq);
                lines.emplace_back(line);
            }
            return true;
        });
    }
    if (indices.empty()) return Error{"case_unknown", "the audit log in " + dir + " has no entry for case " + case_id};
    std::optional<Checkpoint> latest;
    for_each_line(dir + "/" + kCheckpointsFile, [&](std::uint64_t, std::string_view line) {
        if (auto c = parse_checkpoint(std::string(line))) latest = c;
        return true;
    });
    if (!latest || latest->tree_size <= indices.back()) {
        return Error{"not_sealed",
                     "the case's last entry (" + std::to_string(indices.back()) +
                         ") is not covered by a checkpoint yet; try again after audit.checkpoint_seconds"};
    }
    StreamedProofs proofs(indices, latest->tree_size);
    for_each_line(entries_path, [&](std::uint64_t, std::string_view line) {
        proofs.append(leaf_hash(line));
        return !proofs.complete();
    });
    if (!proofs.complete() || proofs.root() != latest->root) {
        return Error{"log_invalid", "the entries do not match the latest checkpoint; run 'vikno audit verify'"};
    }
    Object bundle(Poco::JSON_PRESERVE_KEY_ORDER);
    bundle.set("format", kBundleFormat);
    bundle.set("case_id", case_id);
    bundle.set("exported_at", rfc3339(now_ms()));
    bundle.set("checkpoint", checkpoint_json(*latest));
    Array::Ptr items = new Array;
    for (std::size_t k = 0; k < indices.size(); ++k) {
        Object::Ptr item = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        item->set("index", indices[k]);
        item->set("entry", lines[k]);
        item->set("leaf_hash", to_hex(leaf_hash(lines[k])));
        Array::Ptr proof = new Array;
        for (const auto& hash : proofs.proof(k)) proof->add(to_hex(hash));
        item->set("inclusion_proof", proof);
        items->add(item);
    }
    bundle.set("entries", items);
    Object::Ptr certificates = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    certificates->set("audit", audit_certificate.pem());
    for (const auto& [name, pem] : other_certificates) certificates->set(name, pem);
    bundle.set("certificates", certificates);
    std::ostringstream out;
    bundle.stringify(out, 1);
    return out.str() + "\n";
}

BundleReport check_bundle(const std::string& bundle_json, const crypto::Certificate& audit_certificate) {
    BundleReport report;
    try {
        Poco::JSON::Parser parser;
        const auto bundle = parser.parse(bundle_json).extract<Object::Ptr>();
        if (bundle->optValue<std::string>("format", "") != kBundleFormat) {
            report.problems.push_back(std::string("not a ") + kBundleFormat + " bundle");
            return report;
        }
        const std::string case_id = bundle->getValue<std::string>("case_id");
        const auto c = bundle->getObject("checkpoint");
        Checkpoint checkpoint;
        checkpoint.tree_size = c->getValue<std::uint64_t>("tree_size");
        const auto root = from_hex(c->getValue<std::string>("root"));
        auto signature = crypto::base64_decode(c->getValue<std::string>("signature"));
        if (!root || !signature) {
            report.problems.push_back("the checkpoint's root or signature is not well-formed");
            return report;
        }
        checkpoint.root = *root;
        checkpoint.at = c->getValue<std::string>("at");
        checkpoint.algorithm = c->getValue<std::string>("algorithm");
        checkpoint.key_id = c->getValue<std::string>("key_id");
        checkpoint.signature = signature.value();
        if (const auto bad = check_checkpoint_signature(checkpoint, {audit_certificate}); !bad.empty()) {
            report.problems.push_back("the checkpoint is not the gateway's: " + bad);
            return report;
        }
        const auto entries = bundle->getArray("entries");
        for (std::size_t i = 0; entries && i < entries->size(); ++i) {
            const auto item = entries->getObject(static_cast<unsigned>(i));
            const auto index = item->getValue<std::uint64_t>("index");
            const std::string entry = item->getValue<std::string>("entry");
            std::vector<Hash> proof;
            const auto path = item->getArray("inclusion_proof");
            for (std::size_t k = 0; path && k < path->size(); ++k) {
                if (auto hash = from_hex(path->getElement<std::string>(static_cast<unsigned>(k))))
                    proof.push_back(*hash);
            }
            const std::string name = "entry " + std::to_string(index);
            if (!verify_inclusion(leaf_hash(entry), index, checkpoint.tree_size, proof, checkpoint.root)) {
                report.problems.push_back(name + " is not in the signed log (its bytes or its proof were changed)");
                continue;
            }
            Poco::JSON::Parser entry_parser;
            const auto json = entry_parser.parse(entry).extract<Object::Ptr>();
            if (json->optValue<std::string>("case_id", "") != case_id) {
                report.problems.push_back(name + " belongs to another case");
                continue;
            }
            report.entries.push_back(name + "  " + json->optValue<std::string>("at", "") + "  " +
                                     json->optValue<std::string>("kind", "") + "  " +
                                     json->optValue<std::string>("status", json->optValue<std::string>("outcome", "")));
        }
        if (report.entries.empty() && report.problems.empty()) report.problems.push_back("the bundle holds no entry");
    } catch (const std::exception& e) {
        report.problems.push_back(std::string("the bundle cannot be read: ") + e.what());
    }
    return report;
}

}  // namespace vikno::gateway::audit
