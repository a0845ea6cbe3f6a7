#include "audit/log_verifier.h"

#include "audit/audit_log.h"
#include "audit/log_files.h"
#include "audit/merkle.h"

#include <Poco/JSON/Parser.h>

#include <optional>
#include <set>

namespace vikno::gateway::audit {
namespace {

// The entry's own seq and prev, or nullopt when the line is not an entry.
struct Link {
    std::uint64_t seq = 0;
    std::string prev;
};

std::optional<Link> link_of(const std::string& line) {
    // The writer always starts an entry with {"seq":N,"prev":"<64 hex>", so read those two
    // directly; anything else is parsed in full. (Any changed byte still changes the entry's hash,
    // which the next entry and the checkpoints catch.)
    static constexpr std::string_view kSeq = R"({"seq":)";
    static constexpr std::string_view kPrev = R"(,"prev":")";
    if (line.starts_with(kSeq)) {
        std::size_t pos = kSeq.size();
        std::uint64_t seq = 0;
        const std::size_t digits_start = pos;
        while (pos < line.size() && line[pos] >= '0' && line[pos] <= '9' && pos - digits_start < 19) {
            seq = seq * 10 + static_cast<std::uint64_t>(line[pos++] - '0');
        }
        if (pos > digits_start && line.compare(pos, kPrev.size(), kPrev) == 0 &&
            line.size() >= pos + kPrev.size() + 65 && line[pos + kPrev.size() + 64] == '"') {
            return Link{seq, line.substr(pos + kPrev.size(), 64)};
        }
    }
    try {
        Poco::JSON::Parser parser;
        const auto json = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
        return Link{json->getValue<std::uint64_t>("seq"), json->getValue<std::string>("prev")};
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// Walks the entries: each must be JSON, carry its own index and the hash of the one before.
void check_entries(const std::vector<std::string>& lines, const std::vector<Hash>& leaves, VerifyReport& report) {
    std::vector<bool> chain_broken(lines.size(), false);
    std::vector<std::optional<Link>> links;
    std::set<std::uint64_t> present;
    for (const auto& line : lines) {
        links.push_back(link_of(line));
        if (links.back()) present.insert(links.back()->seq);
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto& link = links[i];
        if (!link) {
            report.problems.push_back("entry " + std::to_string(i) + " is not a valid entry (its bytes were changed)");
            return;
        }
        if (link->seq != i) {
            const bool deleted = link->seq > i && !present.contains(i);
            report.problems.push_back(
                deleted ? "entry " + std::to_string(i) + " is missing: the entry at its place says it is entry " +
                              std::to_string(link->seq) + " (entries were deleted)"
                        : "the entry at place " + std::to_string(i) + " says it is entry " + std::to_string(link->seq) +
                              " (an entry was inserted, duplicated or moved)");
            return;
        }
        const std::string expected = i == 0 ? std::string(64, '0') : to_hex(leaves[i - 1]);
        chain_broken[i] = link->prev != expected;
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (!chain_broken[i]) continue;
        // Entry i-1 changed: only entry i disagrees. Entry i's own link changed: i and i+1 disagree.
        const bool own_link = i + 1 < lines.size() && chain_broken[i + 1];
        const std::size_t bad = own_link || i == 0 ? i : i - 1;
        report.problems.push_back("entry " + std::to_string(bad) +
                                  " was changed: its hash no longer matches the one entry " + std::to_string(bad + 1) +
                                  " recorded for it");
        return;
    }
}

}  // namespace

VerifyReport verify_log(const std::string& dir, const std::vector<crypto::Certificate>& trusted) {
    VerifyReport report;
    const Lines entries = read_lines(dir + "/" + kEntriesFile);
    report.entries = entries.lines.size();
    if (entries.torn_bytes > 0) {
        report.warnings.push_back("the last " + std::to_string(entries.torn_bytes) +
                                  " bytes are an entry cut short by a crash (never acknowledged; the gateway drops "
                                  "them at its next start)");
    }
    MerkleTree tree;
    std::vector<Hash> leaves;
    leaves.reserve(entries.lines.size());
    for (const auto& line : entries.lines) {
        leaves.push_back(leaf_hash(line));
        tree.append(leaves.back());
    }
    check_entries(entries.lines, leaves, report);

    const Lines checkpoint_lines = read_lines(dir + "/" + kCheckpointsFile);
    report.checkpoints = checkpoint_lines.lines.size();
    if (checkpoint_lines.torn_bytes > 0) {
        report.warnings.push_back("the last " + std::to_string(checkpoint_lines.torn_bytes) +
                                  " bytes of the checkpoints are one cut short by a crash or a full disk (never "
                                  "published; the gateway drops them at its next start and signs a new one)");
    }
    std::optional<Checkpoint> previous;
    for (std::size_t c = 0; c < checkpoint_lines.lines.size(); ++c) {
        const std::string name = "checkpoint " + std::to_string(c);
        const auto checkpoint = parse_checkpoint(checkpoint_lines.lines[c]);
        if (!checkpoint) {
            report.problems.push_back(name + " is not a valid checkpoint (its bytes were changed)");
            break;
        }
        const std::string at = " (" + std::to_string(checkpoint->tree_size) + " entries, " + checkpoint->at + ")";
        if (const auto bad = check_checkpoint_signature(*checkpoint, trusted); !bad.empty()) {
            report.problems.push_back(name + at + " was replaced or changed: " + bad);
            break;
        }
        if (checkpoint->tree_size > tree.size()) {
            report.problems.push_back(name + at + " covers " + std::to_string(checkpoint->tree_size) +
                                      " entries but the log holds " + std::to_string(tree.size()) + ": entries " +
                                      std::to_string(tree.size()) + " to " + std::to_string(checkpoint->tree_size - 1) +
                                      " were removed (truncated tail or deleted entries)");
            break;
        }
        if (tree.root(checkpoint->tree_size) != checkpoint->root) {
            report.problems.push_back(name + at + ": the entries 0 to " + std::to_string(checkpoint->tree_size - 1) +
                                      " do not have the root it signed: an entry among them was changed, inserted, "
                                      "removed or reordered");
            break;
        }
        if (previous) {
            if (checkpoint->previous_size != previous->tree_size) {
                report.problems.push_back(name + at + " follows a checkpoint of " +
                                          std::to_string(checkpoint->previous_size.value_or(0)) +
                                          " entries, but the one before it in the file covers " +
                                          std::to_string(previous->tree_size) + " (a checkpoint was removed or moved)");
                break;
            }
            if (!verify_consistency(previous->tree_size, checkpoint->tree_size, previous->root, checkpoint->root,
                                    checkpoint->consistency)) {
                report.problems.push_back(name + at + ": its consistency proof from checkpoint " +
                                          std::to_string(c - 1) + " does not verify (the log was rewritten)");
                break;
            }
        }
        previous = checkpoint;
        report.sealed = checkpoint->tree_size;
    }
    if (report.checkpoints == 0 && report.entries > 0) {
        report.problems.push_back("there is no checkpoint at all: nothing in the log is signed");
    }
    if (report.ok() && report.sealed < report.entries) {
        report.warnings.push_back("entries " + std::to_string(report.sealed) + " to " +
                                  std::to_string(report.entries - 1) +
                                  " are not yet covered by a checkpoint (the gateway seals them within "
                                  "audit.checkpoint_seconds, at shutdown, or at its next start)");
    }
    return report;
}

}  // namespace vikno::gateway::audit
