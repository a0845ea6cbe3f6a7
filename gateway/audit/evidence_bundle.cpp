#include "audit/evidence_bundle.h"

#include "audit/audit_log.h"
#include "audit/entry_reading.h"
#include "audit/log_files.h"
#include "audit/merkle.h"
#include "audit/streamed_proofs.h"
#include "common/clock.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace vikno::gateway::audit {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

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

// The case's own lines, as the log has them.
struct CaseLines {
    std::vector<std::uint64_t> indices;
    std::vector<std::string> lines;
};

// Whether `line` is an entry of the case the filter names: the cheap test on the text first, so
// that only lines that hold the case id are parsed.
bool of_case(const EntryFilter& filter, std::string_view line) {
    return filter.may_match(line) && filter.matches(parse_entry(std::string(line)));
}

// Every line of the log is looked at.
CaseLines case_lines_by_reading(const std::string& entries_path, const std::string& case_id) {
    CaseLines found;
    if (case_id.empty()) return found;
    const EntryFilter filter{case_id, "", "", "", "", "", ""};
    for_each_line(entries_path, [&](std::uint64_t seq, std::string_view line) {
        if (of_case(filter, line)) {
            found.indices.push_back(seq);
            found.lines.emplace_back(line);
        }
        return true;
    });
    return found;
}

// The lines the index places in the case, each read where it says and kept only if it is the case's,
// then those of the lines written since the index last read the log.
CaseLines case_lines_by_index(const std::string& entries_path, const std::string& case_id, LogIndex& index) {
    CaseLines found;
    const std::uint64_t indexed = index.lines();
    const auto last = indexed > 0 ? index.offset_of(indexed - 1) : std::nullopt;
    if (!last) return found;
    const EntryFilter filter{case_id, "", "", "", "", "", ""};
    for (const auto& place : index.lines_of_case(case_id)) {
        auto line = entry_line_at(entries_path, place.seq, place.offset);
        if (!line || !of_case(filter, *line)) continue;
        found.indices.push_back(place.seq);
        found.lines.push_back(std::move(*line));
    }
    for_each_line_from(entries_path, *last, indexed - 1, [&](std::uint64_t seq, std::uint64_t, std::string_view line) {
        if (seq >= indexed && of_case(filter, line)) {
            found.indices.push_back(seq);
            found.lines.emplace_back(line);
        }
        return true;
    });
    return found;
}

// The proofs from two passes over the whole log's leaves (StreamedProofs); nullopt when the log does
// not have the checkpoint's root.
std::optional<std::vector<std::vector<Hash>>> proofs_by_reading(const std::string& entries_path,
                                                                const std::vector<std::uint64_t>& indices,
                                                                const Checkpoint& checkpoint) {
    StreamedProofs proofs(indices, checkpoint.tree_size);
    for_each_line(entries_path, [&](std::uint64_t, std::string_view line) {
        proofs.append(leaf_hash(line));
        return !proofs.complete();
    });
    if (!proofs.complete() || proofs.root() != checkpoint.root) return std::nullopt;
    std::vector<std::vector<Hash>> out;
    for (std::size_t k = 0; k < indices.size(); ++k) out.push_back(proofs.proof(k));
    return out;
}

// MTH of ranges of the log's leaves from the index's block roots where a range is whole blocks, and
// from the log's own lines elsewhere: a proof's ranges are whole blocks except within the entry's
// own block and the last, partial one, so a proof reads at most two blocks of lines.
class BlockHashes {
public:
    BlockHashes(std::string entries_path, LogIndex& index)
        : path_(std::move(entries_path)),
          index_(index),
          per_block_(index.leaves_per_block()),
          roots_(index.block_roots()) {}

    std::optional<Hash> range(std::uint64_t begin, std::uint64_t end) {
        const std::uint64_t n = end - begin;
        if (n == 0) return empty_root();
        if (begin % per_block_ == 0 && n % per_block_ == 0 && end / per_block_ <= roots_.size()) {
            MerkleFrontier blocks;  // whole blocks: the roots are the subtrees, largest first
            for (auto b = begin / per_block_; b < end / per_block_; ++b) blocks.append(roots_[b]);
            return blocks.root();
        }
        if (n <= per_block_) return from_lines(begin, end);
        const std::uint64_t k = split_point(n);
        const auto left = range(begin, begin + k);
        const auto right = left ? range(begin + k, end) : std::nullopt;
        if (!right) return std::nullopt;
        return node_hash(*left, *right);
    }

    // RFC 9162 2.1.3.1, as MerkleTree::inclusion_proof.
    bool path(std::uint64_t index, std::uint64_t begin, std::uint64_t end, std::vector<Hash>& out) {
        const std::uint64_t n = end - begin;
        if (n <= 1) return true;
        const std::uint64_t k = split_point(n);
        const bool left = index < begin + k;
        if (!(left ? path(index, begin, begin + k, out) : path(index, begin + k, end, out))) return false;
        const auto sibling = left ? range(begin + k, end) : range(begin, begin + k);
        if (!sibling) return false;
        out.push_back(*sibling);
        return true;
    }

private:
    std::optional<Hash> from_lines(std::uint64_t begin, std::uint64_t end) {
        const auto offset = index_.offset_of(begin);
        if (!offset) return std::nullopt;
        MerkleFrontier leaves;
        for_each_line_from(path_, *offset, begin, [&](std::uint64_t seq, std::uint64_t, std::string_view line) {
            if (seq >= end) return false;
            leaves.append(leaf_hash(line));
            return seq + 1 < end;
        });
        if (leaves.size() != end - begin) return std::nullopt;
        return leaves.root();
    }

    std::string path_;
    LogIndex& index_;
    std::uint64_t per_block_;
    std::vector<Hash> roots_;
};

// The proofs from the index's blocks, each checked against the checkpoint's root; nullopt when the
// index does not describe this log (the caller then reads the whole log).
std::optional<std::vector<std::vector<Hash>>> proofs_by_index(const std::string& entries_path, const CaseLines& own,
                                                              const Checkpoint& checkpoint, LogIndex& index) {
    if (index.leaves_per_block() == 0) return std::nullopt;
    BlockHashes hashes(entries_path, index);
    const auto root = hashes.range(0, checkpoint.tree_size);
    if (!root || *root != checkpoint.root) return std::nullopt;
    std::vector<std::vector<Hash>> out;
    for (std::size_t k = 0; k < own.indices.size(); ++k) {
        std::vector<Hash> proof;
        if (!hashes.path(own.indices[k], 0, checkpoint.tree_size, proof) ||
            !verify_inclusion(leaf_hash(own.lines[k]), own.indices[k], checkpoint.tree_size, proof, checkpoint.root)) {
            return std::nullopt;
        }
        out.push_back(std::move(proof));
    }
    return out;
}

}  // namespace

Result<std::string> export_bundle(const std::string& dir, const std::string& case_id,
                                  const crypto::Certificate& audit_certificate,
                                  const std::map<std::string, std::string>& other_certificates, LogIndex* index) {
    // The log may hold millions of entries. Without an index it is read twice, a block at a time,
    // keeping only the case's own lines and a few partial subtrees per proof; with one, the case's
    // lines and the blocks at the ends of each proof are read.
    const std::string entries_path = dir + "/" + kEntriesFile;
    CaseLines own;
    if (index != nullptr && !case_id.empty()) own = case_lines_by_index(entries_path, case_id, *index);
    if (own.indices.empty()) own = case_lines_by_reading(entries_path, case_id);
    const auto& indices = own.indices;
    const auto& lines = own.lines;
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
    std::optional<std::vector<std::vector<Hash>>> proofs;
    if (index != nullptr) proofs = proofs_by_index(entries_path, own, *latest, *index);
    if (!proofs) proofs = proofs_by_reading(entries_path, indices, *latest);
    if (!proofs)
        return Error{"log_invalid", "the entries do not match the latest checkpoint; run 'vikno audit verify'"};
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
        for (const auto& hash : (*proofs)[k]) proof->add(to_hex(hash));
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
