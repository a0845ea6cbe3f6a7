#pragma once
// The store for several gateway instances on one PostgreSQL database (docs/operations.md).
//
// What changes against the embedded SQLite store is ownership. Every claim (an outbox row being
// sent, a registry callback being processed, an event being delivered, a life situation being
// advanced) names the instance that holds it. Each instance keeps a row in `instances` alive with a
// heartbeat; a claim whose owner's heartbeat has lapsed is free for any instance to take, and a
// live instance's claims are never taken. Claims are taken with FOR UPDATE SKIP LOCKED, so two
// instances never take the same row, and the writes that end a claim check that the writer still
// holds it.
//
// A 202 is sent after the submission's COMMIT returns with synchronous_commit on: the case is on
// the primary's disk (and, with synchronous_standby_names set, on a standby's; docs/operations.md).
// New work is announced with NOTIFY vikno_outbox; other instances wake on it.

#include "store/case_store.h"
#include "store/pg_connection.h"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>

namespace vikno::gateway {

struct PostgresOptions {
    std::string conninfo;  ///< libpq connection string or URI
    int connections = 8;
    /// How long an instance's claims outlive its last heartbeat (it beats every third of it).
    int lease_ms = 10000;
};

class PostgresCaseStore final : public CaseStore {
public:
    /// Connects, creates the schema if missing (one instance at a time) and registers this instance.
    /// Throws pg::Error naming the server's refusal.
    explicit PostgresCaseStore(PostgresOptions options);
    /// Stops the heartbeat and deregisters: claims left over are free at once.
    ~PostgresCaseStore() override;
    PostgresCaseStore(const PostgresCaseStore&) = delete;
    PostgresCaseStore& operator=(const PostgresCaseStore&) = delete;

    /// Creates the store's tables when missing, one caller at a time; in the caller's transaction.
    static void create_schema(pg::Connection& db);
    /// Runs `load`, which writes many cases in the caller's transaction (a migration), with the
    /// per-change counts of cases per status off, and counts the cases once afterwards: counted row
    /// by row, one transaction's thousands of changes to the same count rows slow down quadratically.
    static void bulk_load(pg::Connection& db, const std::function<void()>& load);
    /// This instance's id in claims (host, process, random part).
    const std::string& instance_id() const { return instance_; }

    SubmitResult submit(const Case& c, const std::string& message_id, const AuditRows* received = nullptr,
                        bool claim = false) override;
    std::optional<Case> find(const std::string& case_id) override;
    std::map<CaseStatus, std::int64_t> count_by_status() override;
    std::vector<CaseRow> search(const CaseQuery& query) override;
    std::vector<ExchangeRecord> exchanges(const std::string& case_id) override;
    void record_exchange(const ExchangeRecord& exchange) override;
    bool request_cancel(const std::string& case_id) override;
    bool cancel_requested(const std::string& case_id) override;
    bool cancel_queued(const std::string& case_id, const std::string& note) override;

    std::optional<OutboxItem> claim_next(std::int64_t now_ms,
                                         const std::vector<std::string>& skip_services = {}) override;
    std::optional<std::int64_t> next_due_ms() override;
    Claim claim_or_next_due(std::int64_t now_ms, const std::vector<std::string>& skip_services = {}) override;
    int release_claims() override;
    void reschedule(const OutboxItem& item, std::int64_t next_ms, const std::string& note,
                    const ExchangeRecord* exchange) override;
    void postpone(const OutboxItem& item, std::int64_t next_ms, const std::string& note) override;
    void finish(const OutboxItem& item, CaseStatus status, const std::optional<Outcome>& outcome,
                const std::string& note, const ExchangeRecord* exchange, const AuditRows* audit = nullptr) override;
    void await_callback(const OutboxItem& item, const std::string& registry, const std::string& correlation,
                        const Outcome& interim, const std::string& note, const ExchangeRecord* exchange) override;
    std::int64_t backlog() const override;
    void on_new_work(std::function<void()> wake) override;
    int release_orphans(const std::vector<std::string>& held) override;

    CallbackClaim claim_callback(const std::string& registry, const std::string& correlation) override;
    void release_callback(const std::string& registry, const std::string& correlation) override;
    bool finish_callback(const std::string& case_id, const std::string& registry, const std::string& correlation,
                         CaseStatus status, const Outcome& outcome, const std::string& note,
                         const ExchangeRecord& exchange) override;

    std::optional<PendingEvent> claim_event(std::int64_t now_ms) override;
    void event_delivered(std::int64_t seq) override;
    void event_retry(std::int64_t seq, std::int64_t next_ms, const std::string& error) override;
    int release_event_claims() override;
    int release_event_orphans(const std::vector<std::int64_t>& held) override;
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

private:
    void beat();
    void listen();
    void update_status(pg::Connection& db, const std::string& case_id, std::int64_t at_ms, CaseStatus status,
                       const std::string& note, const std::optional<Outcome>& outcome = std::nullopt);
    void insert_exchange(pg::Connection& db, const ExchangeRecord& exchange);
    /// The case row, its first history, (with a message id) its outbox row and (with `audit`) its
    /// audit rows; false (nothing written) when its (office, key) is taken. `claim`: the outbox row
    /// is this instance's claim and the case is sending (CaseRecords::submit).
    bool insert_case(pg::Connection& db, const Case& c, const std::string& body_hash, const std::string& submission,
                     std::int64_t now, const std::string& parent_id, const std::string& step_id,
                     const std::string& message_id, const AuditRows* audit = nullptr, bool claim = false);
    /// `also` (may be empty) writes more in the same transaction.
    SubmitResult submit_with(const Case& c, const std::string& message_id,
                             const std::function<void(pg::Connection&)>& also, const AuditRows* audit = nullptr,
                             bool claim = false);
    void let_go_callback(const std::string& registry, const std::string& correlation);

    PostgresOptions options_;
    std::string instance_;
    std::unique_ptr<pg::Pool> pool_;
    // Claims have a connection of their own whose session commits without waiting for the disk (a
    // claim lost on a crash only repeats an attempt under the same message id), so that a claim is
    // one statement, one round trip, with no BEGIN, SET LOCAL and COMMIT around it. Claims are one
    // at a time per instance anyway (the dispatcher's claim lock).
    std::mutex claim_mutex_;
    std::unique_ptr<pg::Connection> claim_db_;
    std::atomic<bool> stopping_{false};
    std::mutex beat_mutex_;
    std::condition_variable beat_wake_;
    std::thread heartbeat_;
    std::thread listener_;
    std::mutex wake_mutex_;
    std::function<void()> wake_;
    // The outbox's rows as last counted, plus this instance's own changes since (so that one
    // instance's overload control is exact, and several instances' is at most 200 ms behind).
    mutable std::atomic<std::int64_t> backlog_{0};
    mutable std::atomic<std::int64_t> backlog_at_{0};  // when it was counted (ms)
    // The registry callbacks (registry, correlation) this instance's callers hold. A row 'taking'
    // under this instance's name that no caller holds is one whose claim or release lost its reply
    // with the connection: the registry's next try may take it again, as after a death.
    std::mutex callbacks_mutex_;
    std::set<std::pair<std::string, std::string>> callbacks_held_;
};

}  // namespace vikno::gateway
