#pragma once
// The embedded default store: one SQLite database in WAL mode. A case acknowledged with 202, and
// every final state, is on disk before the call returns, so it survives a process crash or a power
// cut; concurrent callers share one fdatasync of the WAL (group commit, see make_durable).

#include "store/case_store.h"
#include "store/sqlite_shared_transactions.h"
#include "store/sqlite_statement.h"

#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace vikno::gateway {

class SqliteCaseStore final : public CaseStore {
public:
    /// Opens or creates the database (file mode 0600: it holds personal data). Throws with the path.
    explicit SqliteCaseStore(const std::string& path);
    ~SqliteCaseStore() override;
    SqliteCaseStore(const SqliteCaseStore&) = delete;
    SqliteCaseStore& operator=(const SqliteCaseStore&) = delete;

    SubmitResult submit(const Case& c, const std::string& message_id, const AuditRows* received = nullptr,
                        bool claim = false) override;
    std::optional<Case> find(const std::string& case_id) override;
    std::optional<OutboxItem> claim_next(std::int64_t now_ms,
                                         const std::vector<std::string>& skip_services = {}) override;
    std::optional<std::int64_t> next_due_ms() override;
    int release_claims() override;
    void reschedule(const OutboxItem& item, std::int64_t next_ms, const std::string& note,
                    const ExchangeRecord* exchange) override;
    void finish(const OutboxItem& item, CaseStatus status, const std::optional<Outcome>& outcome,
                const std::string& note, const ExchangeRecord* exchange, const AuditRows* audit = nullptr) override;
    void await_callback(const OutboxItem& item, const std::string& registry, const std::string& correlation,
                        const Outcome& interim, const std::string& note, const ExchangeRecord* exchange) override;
    CallbackClaim claim_callback(const std::string& registry, const std::string& correlation) override;
    void release_callback(const std::string& registry, const std::string& correlation) override;
    bool finish_callback(const std::string& case_id, const std::string& registry, const std::string& correlation,
                         CaseStatus status, const Outcome& outcome, const std::string& note,
                         const ExchangeRecord& exchange) override;
    void record_exchange(const ExchangeRecord& exchange) override;
    std::int64_t backlog() const override { return backlog_; }
    void postpone(const OutboxItem& item, std::int64_t next_ms, const std::string& note) override;
    std::map<CaseStatus, std::int64_t> count_by_status() override;
    std::vector<CaseRow> search(const CaseQuery& query) override;
    std::vector<ExchangeRecord> exchanges(const std::string& case_id) override;
    std::optional<PendingEvent> claim_event(std::int64_t now_ms) override;
    void event_delivered(std::int64_t seq) override;
    void event_retry(std::int64_t seq, std::int64_t next_ms, const std::string& error) override;
    int release_event_claims() override;
    std::int64_t events_pending() override;
    SubmitResult submit_situation(const Case& c, const std::vector<StepRecord>& steps,
                                  const AuditRows* received = nullptr) override;
    std::vector<std::string> active_situations() override;
    std::vector<StepRecord> steps(const std::string& situation_id) override;
    void start_step(const std::string& situation_id, const std::string& step_id, const Case& step_case,
                    const std::string& message_id) override;
    void end_step(const std::string& situation_id, const std::string& step_id, const std::string& status,
                  const std::string& reason) override;
    void update_situation(const std::string& situation_id, CaseStatus status, const std::optional<Outcome>& outcome,
                          const std::string& note) override;
    bool request_cancel(const std::string& case_id) override;
    bool cancel_requested(const std::string& case_id) override;
    bool cancel_queued(const std::string& case_id, const std::string& note) override;

private:
    void add_history(const std::string& case_id, std::int64_t at_ms, CaseStatus status, const std::string& note);
    void update_status(const std::string& case_id, std::int64_t at_ms, CaseStatus status, const std::string& note);
    void insert_exchange(const ExchangeRecord& exchange);
    /// The case row and its first history; under mutex_, in the caller's transaction.
    void insert_case(const Case& c, const std::string& body_hash, const std::string& submission, std::int64_t now,
                     const std::string& parent_id, const std::string& step_id, bool claimed = false);
    /// Stores a new case (or finds the earlier one with the same key) and runs `also` in the same
    /// transaction for a new one; `stored`, when given, gets the submission's stored text;
    /// `claimed`: the new case is sending (CaseRecords::submit's `claim`).
    SubmitResult submit_with(const Case& c, const std::function<void(std::int64_t now)>& also,
                             std::string* stored = nullptr, bool claimed = false);
    void open_wal();
    /// The claim itself, in the caller's transaction; `skip_services` is a JSON array or empty.
    /// Claims a row in the running transaction; `submission` gets its case's stored submission.
    std::optional<OutboxItem> claim_row(std::int64_t now_ms, const std::string& skip_services, std::string& submission);
    /// Commits and counts the commit; the count make_durable waits for.
    std::uint64_t commit(sqlite::Transaction& tx);
    /// Returns once every commit up to `commit_count` is on disk. The first caller syncs the WAL for
    /// all commits made so far; callers queued behind it usually find their commit already covered.
    /// Called without mutex_ held, so other transactions proceed during the sync.
    void make_durable(std::uint64_t commit_count);

    std::mutex mutex_;  // one connection, one writer at a time
    sqlite3* db_ = nullptr;
    std::unique_ptr<sqlite::StatementCache> statements_;  // used under mutex_
    std::string path_;
    int wal_fd_ = -1;
    std::unique_ptr<sqlite::SharedTransactions> transactions_;  // the write transactions; count the commits
    std::mutex sync_mutex_;                                     // taken before mutex_, never while holding it
    std::uint64_t durable_ = 0;                                 // commits known on disk; under sync_mutex_
    std::atomic<std::int64_t> backlog_{0};                      // rows in the outbox, counted once at open then kept
};

}  // namespace vikno::gateway
