#pragma once
// The audit log as the console reads it: the two files an auditor verifies, and an index of where
// each line is (audit_index.h). A single gateway's log is read in place; a log in PostgreSQL is
// copied into a folder of the console's own, and the copy grows by what is new, at most once a
// second, so that a page costs what it shows and not the size of the log.

#include "audit/log_verifier.h"
#include "audit/postgres_audit_log.h"
#include "config/config.h"
#include "console/audit_index.h"
#include "logging/log_throttle.h"

#include <vikno/signing.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace vikno::gateway::console {

class AuditSnapshot {
public:
    AuditSnapshot(const Config& config, std::vector<crypto::Certificate> trusted);

    /// The log's files while a page reads them: the console's copy does not grow under the page.
    class View {
    public:
        /// The folder holding entries.jsonl and checkpoints.jsonl.
        const std::string& dir() const { return dir_; }
        std::string entries_path() const;
        /// Line `seq` of entries.jsonl; nullopt when there is none.
        std::optional<std::string> line(std::uint64_t seq) const;
        /// Each line the index places in case `case_id`, read from the log, oldest first (the
        /// caller still checks that the entry is the case's).
        void for_each_line_of_case(const std::string& case_id,
                                   const std::function<void(std::uint64_t, std::string_view)>& visit) const;
        /// The index, for an evidence bundle; nullptr when it could not be brought to the end of the log.
        audit::LogIndex* index() const { return indexed_ ? &index_ : nullptr; }

    private:
        friend class AuditSnapshot;
        View(std::shared_lock<std::shared_mutex> lock, const std::string& dir, AuditIndex& index)
            : lock_(std::move(lock)), dir_(dir), index_(index) {}
        std::shared_lock<std::shared_mutex> lock_;
        std::string dir_;
        AuditIndex& index_;
        // False when the index could not be brought to the end of the log (its disk is full, say):
        // the lines are then found by reading the log, as slow as that is, rather than shown in part.
        bool indexed_ = true;
    };

    /// The files, current to within a second, with the index caught up.
    View view();
    /// The console itself added an entry: the next view() shows it.
    void appended();
    /// `vikno audit verify`'s report on the log; recomputed only when it grew. For a log in
    /// PostgreSQL, on a fresh copy of the whole log, so that a line changed in the database since
    /// the console's copy was made is found; the next view() then pulls, so that pages never show
    /// less of the log than this report.
    audit::VerifyReport verify();
    const std::vector<crypto::Certificate>& trusted() const { return trusted_; }

private:
    /// Brings the console's copy of a log in PostgreSQL up to date, holding files_ exclusively.
    void pull_locked();

    const Config& config_;
    std::vector<crypto::Certificate> trusted_;
    std::string dir_;                         // the files pages read: the log's own folder, or the console's copy
    std::shared_mutex files_;                 // shared while a page reads, exclusive while the copy grows
    std::mutex mutex_;                        // the pulls, one at a time, and pulled_
    std::atomic<std::int64_t> pulled_ms_{0};  // atomic: a page holding a view may call appended()
    audit::PostgresAuditLog::PulledPlace pulled_;
    std::unique_ptr<AuditIndex> index_;
    LogThrottle log_throttle_;
    std::mutex verify_mutex_;  // what follows
    std::uintmax_t verified_size_ = static_cast<std::uintmax_t>(-1);
    audit::VerifyReport verified_;
};

}  // namespace vikno::gateway::console
