#pragma once
// The tamper-evident audit log (docs/audit.md). Two append-only files in one folder, both 0600:
//
//   entries.jsonl      one JSON object per line: what happened (exchanges with their exact wire
//                      bytes, case events). Each line is a leaf of an RFC 9162 Merkle tree; each
//                      entry carries its index (`seq`) and the leaf hash of the entry before it
//                      (`prev`), so a changed entry can be named, not only detected.
//   checkpoints.jsonl  signed checkpoints (tree size, root, time), each with the consistency proof
//                      from the checkpoint before it; made every N entries or T seconds, at start
//                      (sealing what a crash left unsealed) and at shutdown.
//
// Appends are durable when append() returns (group commit: one fdatasync for every entry that
// arrived while the previous one ran). A batch the disk refuses for lack of space is cut off the
// file again and its callers get StorageFull: the log stays as it was, and the same append
// succeeds once space is back. Any other write error stops the log (AuditError) until a restart.

#include "audit/merkle.h"
#include "common/audit_rows.h"
#include "common/taking_turns.h"

#include <vikno/signing.h>

#include <Poco/JSON/Object.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace vikno::gateway::audit {

class AuditError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct AuditOptions {
    std::string dir = "var/audit";
    std::uint64_t checkpoint_entries = 1000;  ///< a checkpoint after this many new entries ...
    int checkpoint_seconds = 60;              ///< ... or this long after the first unsealed one
};

inline constexpr const char* kEntriesFile = "entries.jsonl";
inline constexpr const char* kCheckpointsFile = "checkpoints.jsonl";

/// The exact text a checkpoint's signature covers.
std::string checkpoint_text(std::uint64_t tree_size, const Hash& root, const std::string& at);

/// Line `seq` of entries.jsonl: `seq` and `prev` (the leaf hash of the line before; zeros for the
/// first), then the entry's own members.
std::string entry_line(std::uint64_t seq, const Hash& prev, const Poco::JSON::Object& entry);

/// A line of checkpoints.jsonl sealing the first `tree.size()` leaves, signed now, with the
/// consistency proof from `previous_size` when there was a checkpoint before. Throws AuditError when
/// the signer refuses.
std::string checkpoint_line(const crypto::Signer& signer, const MerkleTree& tree,
                            std::optional<std::uint64_t> previous_size);

/// Where the gateway's audit entries go: files (FileAuditLog, one gateway) or PostgreSQL
/// (PostgresAuditLog, several instances, one log). Both end in the same two files for auditors.
class AuditLog {
public:
    virtual ~AuditLog() = default;
    /// Appends the entries in order; returns, once they are durable, where each one is (in the same
    /// order), for the store to refer to. Throws StorageFull (nothing was kept) when the disk is out
    /// of space, AuditError when it refuses otherwise.
    virtual std::vector<AuditEntryRef> append(const std::vector<Poco::JSON::Object::Ptr>& entries) = 0;
    /// Entries accepted so far.
    virtual std::uint64_t size() = 0;
    /// The entry `ref` names (from append() or rows_for_store()) as the log holds it: its line, or
    /// its queued text; nullopt when the log has no such entry.
    virtual std::optional<std::string> entry_text(const AuditEntryRef& ref) = 0;
    /// The number the log gave the entry `ref` names; nullopt while it has none yet (PostgreSQL
    /// numbers queued entries after their commit) or when this log does not hold it.
    virtual std::optional<std::uint64_t> entry_seq(const AuditEntryRef& ref) = 0;
    /// For a log kept in the store's database: `entries` as the store must queue them with the end
    /// of a case (common/audit_rows.h); nullopt for a log of its own, which append() writes.
    virtual std::optional<AuditRows> rows_for_store(const std::vector<Poco::JSON::Object::Ptr>& /*entries*/,
                                                    std::size_t /*evidence*/) {
        return std::nullopt;
    }
    /// The store has queued entries (rows_for_store()): integrate them soon.
    virtual void queued_by_store() {}
};

class FileAuditLog final : public AuditLog {
public:
    /// Opens or creates the log. Drops a torn last line (never acknowledged), refuses a log that is
    /// shorter than its last checkpoint or does not match it (AuditError naming the file), and
    /// seals any unsealed entries with a checkpoint.
    FileAuditLog(AuditOptions options, const crypto::Signer& signer);
    /// Writes a final checkpoint.
    ~FileAuditLog() override;
    FileAuditLog(const FileAuditLog&) = delete;
    FileAuditLog& operator=(const FileAuditLog&) = delete;

    /// Appends the entries in order and returns each one's index and offset once all are on disk.
    /// The log adds `seq` and `prev` to each. Throws StorageFull (nothing was written) when the
    /// disk is out of space, AuditError when it refuses otherwise.
    std::vector<AuditEntryRef> append(const std::vector<Poco::JSON::Object::Ptr>& entries) override;

    /// Entries written so far (acknowledged or about to be).
    std::uint64_t size() override;
    /// The line at `ref.offset` when it is line `ref.seq`.
    std::optional<std::string> entry_text(const AuditEntryRef& ref) override;
    std::optional<std::uint64_t> entry_seq(const AuditEntryRef& ref) override;

private:
    // One append() call, or the checkpoint thread asking for a seal: whoever has the turn writes
    // every queued call's entries with one sync (TakingTurns) and says where each went.
    struct Append : TurnJob {
        const std::vector<Poco::JSON::Object::Ptr>* entries = nullptr;
        bool seal = false;                // write a checkpoint after the entries
        std::vector<AuditEntryRef> refs;  // where each entry went
        std::string out_of_space;         // the batch was refused for lack of space and cut off again
    };
    /// The turn's work: the batch's entries written and synced, then a checkpoint when asked for
    /// or when checkpoint_entries entries are unsealed.
    void write_turn(TakingTurns<Append>::Batch& batch);
    /// The checkpoint thread: asks for a seal when unsealed entries are checkpoint_seconds old.
    void run_checkpoints();
    /// Writes a checkpoint, holding mutex_ (in a turn, or in the constructor/destructor). Sets
    /// failure_ when the disk refuses other than for space.
    void seal_locked();
    void write_checkpoint_locked();
    /// Writes `bytes` at the end of `fd` and syncs; returns the offset they start at. On a lack of
    /// space cuts the file back to where it was and throws StorageFull.
    std::uint64_t write_durably(int fd, const std::string& bytes, const std::string& path);
    void recover();

    AuditOptions options_;
    const crypto::Signer& signer_;
    int entries_fd_ = -1;
    int checkpoints_fd_ = -1;
    MerkleTree tree_;  // changed only in a turn
    Hash last_leaf_{};
    TakingTurns<Append> turns_{64};

    std::mutex mutex_;  // what the checkpoint thread and append() read besides the turn
    std::condition_variable stop_;
    std::uint64_t sealed_size_ = 0;
    Hash sealed_root_{};
    bool has_checkpoint_ = false;
    std::int64_t first_unsealed_ms_ = 0;
    std::uint64_t queued_ = 0;        // entries handed to append() and not refused
    std::uint64_t written_ = 0;       // entries on disk (tree_.size())
    std::string checkpoint_refused_;  // the last checkpoint write that met a full disk (logged once)
    std::string failure_;             // set when the disk refused; every later append throws
    bool stopping_ = false;
    std::thread checkpoints_;
};

}  // namespace vikno::gateway::audit
