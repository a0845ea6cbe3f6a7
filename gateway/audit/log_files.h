#pragma once
// Reading the audit log's files as an auditor does: lines as written, checkpoints parsed.

#include "audit/merkle.h"

#include <vikno/signing.h>

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vikno::gateway::audit {

struct Lines {
    std::vector<std::string> lines;  ///< each without its newline
    std::size_t torn_bytes = 0;      ///< bytes after the last newline (a write cut short)
};

/// The lines of `path`; an unreadable file is an empty one.
Lines read_lines(const std::string& path);
/// Each complete line of `path` in order, numbered from 0, read a block at a time (memory stays
/// bounded however large the log is); stops when `visit` returns false. A torn last line is skipped.
void for_each_line(const std::string& path, const std::function<bool(std::uint64_t, std::string_view)>& visit);
/// As for_each_line, from byte `offset` (where line `first_seq` starts), telling `visit` where each
/// line starts: for a reader that keeps its place in a log that grows.
void for_each_line_from(const std::string& path, std::uint64_t offset, std::uint64_t first_seq,
                        const std::function<bool(std::uint64_t, std::uint64_t, std::string_view)>& visit);
/// The last complete line of `path`, without its newline, read from the end of the file (however
/// large it is); nullopt when it has none. When `cut_torn_tail`, bytes after it (a line a crash cut
/// short) are cut off the file.
std::optional<std::string> last_complete_line(const std::string& path, bool cut_torn_tail);
/// Line `seq` of `path` (from 0), read as for_each_line does; nullopt when the file has no such line.
std::optional<std::string> line_at(const std::string& path, std::uint64_t seq);
/// Line `seq` of entries.jsonl at `path`, read where it starts (byte `offset`, as AuditEntryRef
/// says), without its newline; nullopt when no complete line starts there or it is another line
/// (a store beside an audit log not its own finds nothing rather than another entry).
std::optional<std::string> entry_line_at(const std::string& path, std::uint64_t seq, std::uint64_t offset);

struct Checkpoint {
    std::uint64_t tree_size = 0;
    Hash root{};
    std::string at;
    std::string algorithm;
    std::string key_id;
    std::string signature;  ///< DER (ECDSA) or PKCS#1 (RSA), as `openssl dgst -verify` takes it
    std::optional<std::uint64_t> previous_size;
    std::vector<Hash> consistency;
};

/// Parses one line of checkpoints.jsonl; nullopt when it is not a well-formed checkpoint.
std::optional<Checkpoint> parse_checkpoint(const std::string& line);

/// Checks a checkpoint's signature with whichever trusted certificate has its key id; empty when
/// good, otherwise what is wrong.
std::string check_checkpoint_signature(const Checkpoint& checkpoint, const std::vector<crypto::Certificate>& trusted);

}  // namespace vikno::gateway::audit
