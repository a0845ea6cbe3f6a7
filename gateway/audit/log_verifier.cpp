#include "audit/log_verifier.h"

#include "audit/audit_log.h"
#include "audit/log_files.h"
#include "audit/merkle.h"
#include "audit/streamed_proofs.h"

#include <Poco/JSON/Parser.h>

#include <filesystem>
#include <map>
#include <optional>
#include <set>

namespace vikno::gateway::audit {
namespace {

// The entry's own seq and prev, or nullopt when the line is not an entry.
struct Link {
    std::uint64_t seq = 0;
    std::string prev;
};

std::optional<Link> link_of(std::string_view line) {
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
            return Link{seq, std::string(line.substr(pos + kPrev.size(), 64))};
        }
    }
    try {
        Poco::JSON::Parser parser;
        const auto json = parser.parse(std::string(line)).extract<Poco::JSON::Object::Ptr>();
        return Link{json->getValue<std::uint64_t>("seq"), json->getValue<std::string>("prev")};
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// Whether any entry after `place` says it is entry `seq`: tells a deleted entry (none does) from one
// inserted before it. Read only when the log is already known to be tampered with.
bool seq_appears_after(const std::string& entries_path, std::uint64_t place, std::uint64_t seq) {
    bool found = false;
    for_each_line(entries_path, [&](std::uint64_t i, std::string_view line) {
        if (i > place) {
            const auto link = link_of(line);
            found = link && link->seq == seq;
        }
        return !found;
    });
    return found;
}

// The walk over the entries, a line at a time: each must be JSON, carry its own index and the hash
// of the one before. The first entry out of place is the problem reported; a broken chain is
// reported only when every entry is in its place.
struct EntryWalk {
    std::optional<std::uint64_t> out_of_place;  // where the first invalid or misplaced entry is
    std::optional<Link> link_there;             // what it says it is; nullopt: not an entry
    std::optional<std::uint64_t> first_break;   // the first entry whose prev is not its predecessor's hash
    bool next_breaks_too = false;               // ... and whether the entry after it disagrees as well
    bool next_seen = false;
    Hash previous{};

    void visit(std::uint64_t i, std::string_view line, const Hash& leaf) {
        if (!out_of_place) {
            auto link = link_of(line);
            if (!link || link->seq != i) {
                out_of_place = i;
                link_there = std::move(link);
            } else {
                const bool broken = link->prev != (i == 0 ? std::string(64, '0') : to_hex(previous));
                if (first_break && !next_seen) {
                    next_breaks_too = broken;
                    next_seen = true;
                } else if (broken && !first_break) {
                    first_break = i;
                }
            }
        }
        previous = leaf;
    }

    void report(const std::string& entries_path, VerifyReport& report) const {
        if (out_of_place) {
            const std::uint64_t i = *out_of_place;
            if (!link_there) {
                report.problems.push_back("entry " + std::to_string(i) +
                                          " is not a valid entry (its bytes were changed)");
                return;
            }
            const std::uint64_t seq = link_there->seq;
            const bool deleted = seq > i && !seq_appears_after(entries_path, i, i);
            report.problems.push_back(
                deleted ? "entry " + std::to_string(i) + " is missing: the entry at its place says it is entry " +
                              std::to_string(seq) + " (entries were deleted)"
                        : "the entry at place " + std::to_string(i) + " says it is entry " + std::to_string(seq) +
                              " (an entry was inserted, duplicated or moved)");
            return;
        }
        if (!first_break) return;
        // Entry i-1 changed: only entry i disagrees. Entry i's own link changed: i and i+1 disagree.
        const std::uint64_t i = *first_break;
        const std::uint64_t bad = next_breaks_too || i == 0 ? i : i - 1;
        report.problems.push_back("entry " + std::to_string(bad) +
                                  " was changed: its hash no longer matches the one entry " + std::to_string(bad + 1) +
                                  " recorded for it");
    }
};

}  // namespace

// The log may hold millions of entries: it is read once, a line at a time, keeping the tree's
// frontier (a hash per power of two) and the root at each checkpoint's size, never the entries.
VerifyReport verify_log(const std::string& dir, const std::vector<crypto::Certificate>& trusted) {
    VerifyReport report;
    const std::string entries_path = dir + "/" + kEntriesFile;
    const Lines checkpoint_lines = read_lines(dir + "/" + kCheckpointsFile);
    std::vector<std::optional<Checkpoint>> checkpoints;
    std::set<std::uint64_t> sizes;  // where a checkpoint's root is needed
    for (const auto& line : checkpoint_lines.lines) {
        checkpoints.push_back(parse_checkpoint(line));
        if (checkpoints.back()) sizes.insert(checkpoints.back()->tree_size);
    }

    std::map<std::uint64_t, Hash> roots{{0, empty_root()}};
    MerkleFrontier tree;
    EntryWalk walk;
    std::uint64_t end_of_lines = 0;
    for_each_line_from(entries_path, 0, 0, [&](std::uint64_t i, std::uint64_t offset, std::string_view text) {
        const Hash leaf = leaf_hash(text);
        walk.visit(i, text, leaf);
        tree.append(leaf);
        if (sizes.contains(tree.size())) roots[tree.size()] = tree.root();
        end_of_lines = offset + text.size() + 1;
        return true;
    });
    report.entries = tree.size();
    std::error_code no_size;
    const auto file_size = std::filesystem::file_size(entries_path, no_size);
    if (!no_size && file_size > end_of_lines) {
        report.warnings.push_back("the last " + std::to_string(file_size - end_of_lines) +
                                  " bytes are an entry cut short by a crash (never acknowledged; the gateway drops "
                                  "them at its next start)");
    }
    walk.report(entries_path, report);

    report.checkpoints = checkpoint_lines.lines.size();
    if (checkpoint_lines.torn_bytes > 0) {
        report.warnings.push_back("the last " + std::to_string(checkpoint_lines.torn_bytes) +
                                  " bytes of the checkpoints are one cut short by a crash or a full disk (never "
                                  "published; the gateway drops them at its next start and signs a new one)");
    }
    std::optional<Checkpoint> previous;
    for (std::size_t c = 0; c < checkpoint_lines.lines.size(); ++c) {
        const std::string name = "checkpoint " + std::to_string(c);
        const auto& checkpoint = checkpoints[c];
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
        if (roots.at(checkpoint->tree_size) != checkpoint->root) {
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
