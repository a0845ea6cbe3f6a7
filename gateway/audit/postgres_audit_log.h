#pragma once
// One audit log for several gateway instances, in PostgreSQL (docs/audit.md, "Several instances").
//
// The design of the transparency logs that run on shared databases (Trillian): every instance
// queues its entries durably (append() returns once they are committed to `audit_queue`); one
// instance at a time, the sequencer, integrates them: it gives each the next `seq` and the leaf
// hash of the line before, extends the RFC 9162 tree, stores the line in `audit_entries` and signs
// checkpoints into `audit_checkpoints`. Who sequences is decided by a PostgreSQL advisory lock held
// by the sequencer's own session, and every integration runs on that session: when the instance
// dies its session ends, the lock is free, and another instance takes over from the stored lines.
//
// Auditors verify an export: `vikno audit pull` writes the same entries.jsonl and checkpoints.jsonl
// as a single gateway's log, and every `vikno audit` command works on them unchanged.

#include "audit/audit_log.h"
#include "audit/merkle.h"
#include "logging/log_throttle.h"
#include "store/pg_connection.h"

#include <vikno/signing.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace vikno::gateway::audit {

struct PostgresAuditOptions {
    std::string conninfo;
    std::uint64_t checkpoint_entries = 1000;  ///< a checkpoint after this many new entries ...
    int checkpoint_seconds = 60;              ///< ... or this long after the first unsealed one
};

class PostgresAuditLog final : public AuditLog {
public:
    /// Creates the tables if missing and starts the sequencer's loop (it takes the lease when free).
    PostgresAuditLog(PostgresAuditOptions options, const crypto::Signer& signer);
    /// Stops the loop; a sequencer seals what it integrated before it lets the lease go.
    ~PostgresAuditLog() override;
    PostgresAuditLog(const PostgresAuditLog&) = delete;
    PostgresAuditLog& operator=(const PostgresAuditLog&) = delete;

    /// Queues the entries in one transaction; durable when it returns. The refs name each entry by
    /// its digest (its seq is given later, by the sequencer).
    std::vector<AuditEntryRef> append(const std::vector<Poco::JSON::Object::Ptr>& entries) override;
    /// The entry's line once sequenced, its queued text before.
    std::optional<std::string> entry_text(const AuditEntryRef& ref) override;
    std::optional<std::uint64_t> entry_seq(const AuditEntryRef& ref) override;
    std::optional<AuditRows> rows_for_store(const std::vector<Poco::JSON::Object::Ptr>& entries,
                                            std::size_t evidence) override;
    void queued_by_store() override { wake_.notify_one(); }
    /// Entries in the log plus those queued.
    std::uint64_t size() override;
    /// Whether this instance is the sequencer now.
    bool sequencing() const { return sequencing_; }

    /// Creates the log's tables when missing; in the caller's transaction.
    static void create_schema(pg::Connection& db);
    /// Writes the log at `conninfo` to `dir` as entries.jsonl and checkpoints.jsonl (0600), replacing
    /// what the folder held; returns the number of entries. Entries still queued are not in it (they
    /// have no seq yet). Memory stays bounded however large the log is.
    static std::uint64_t pull(const std::string& conninfo, const std::string& dir);
    /// What a folder holds of the log after a pull_more() into it.
    struct PulledPlace {
        std::uint64_t entries = 0;
        std::string last_line;          ///< checked against the log before appending
        std::int64_t sealed_size = -1;  ///< tree size of the last checkpoint pulled
    };
    /// Appends to `dir` what the log has beyond `place` (empty: the whole log), and moves `place` on:
    /// the console's copy grows by what is new instead of being written again. Throws AuditError when
    /// the log no longer holds the folder's last entry as it is there.
    static void pull_more(const std::string& conninfo, const std::string& dir, PulledPlace& place);
    /// Where a folder pull_more() wrote into stands, read back from its files' last lines (a torn
    /// tail, a pull a crash cut short, is cut off), so that a copy goes on after a restart instead
    /// of being made again. nullopt when the folder holds no copy to go on with.
    static std::optional<PulledPlace> place_of(const std::string& dir);

private:
    void run();
    /// Rebuilds the tree from the stored lines and checks it against the last checkpoint.
    void load(pg::Connection& session);
    /// Queued entries into the log, in queue order; false when none were waiting.
    bool integrate(pg::Connection& session);
    void seal(pg::Connection& session);
    static void copy(const std::string& conninfo, const std::string& dir, PulledPlace& place, bool from_empty);

    PostgresAuditOptions options_;
    const crypto::Signer& signer_;
    pg::Pool pool_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> sequencing_{false};
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread sequencer_;
    LogThrottle log_throttle_;
    // The sequencer's state, touched by its thread only.
    MerkleTree tree_;
    Hash last_leaf_{};
    std::uint64_t sealed_size_ = 0;
    bool has_checkpoint_ = false;
    std::int64_t first_unsealed_ms_ = 0;
};

}  // namespace vikno::gateway::audit
