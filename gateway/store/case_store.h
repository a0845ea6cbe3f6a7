#pragma once
// Durable state of cases: the case documents with status and history, the outbox the dispatcher
// works from, idempotency keys, and every exchange's exact bytes. SQLite today (sqlite_case_store);
// the interface is what a PostgreSQL store for several gateway instances implements next.

#include <vikno/case.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vikno::gateway {

enum class SubmitOutcome {
    Created,   ///< a new case; it is in the outbox
    Replayed,  ///< same office, same idempotency key, same body: the earlier case
    Conflict   ///< same office and key, another body
};

struct SubmitResult {
    SubmitOutcome outcome = SubmitOutcome::Created;
    std::string case_id;
};

/// One outbox row a dispatcher worker has claimed.
struct OutboxItem {
    std::string case_id;
    std::string message_id;  ///< the X-Road id, the same on every attempt
    int attempts = 0;        ///< attempts made before this one
    std::string service;     ///< the case's service code (which registry it goes to)
};

/// One request/answer pair with the bytes exactly as sent and received.
struct ExchangeRecord {
    std::string case_id;
    int attempt = 0;
    std::string registry;  ///< plugin name
    std::string endpoint;
    std::int64_t started_ms = 0;
    std::int64_t duration_ms = 0;
    std::string request_bytes;
    std::string response_bytes;  ///< empty when no answer came
    int http_status = 0;         ///< 0 when no answer came
    std::string error;           ///< transport error, empty on an answer
};

/// A case event waiting to be delivered to a CNAP back-end (docs/api.md, "Callbacks").
/// What claim_callback() found for a registry's callback.
struct CallbackClaim {
    enum class State {
        Unknown,   ///< no case ever awaited it
        Answered,  ///< an earlier callback for the same request was processed
        Busy,      ///< another callback for it is being processed right now
        Taken      ///< this caller may process it for `case_id`
    };
    State state = State::Unknown;
    std::string case_id;
};

struct PendingEvent {
    std::int64_t seq = 0;  ///< increases with every event; a case's events are delivered in this order
    std::string event_id;  ///< stable across attempts, for the receiver to deduplicate
    std::string case_id;
    std::string office_id;
    std::string service;
    std::string url;
    std::string status;
    std::string note;
    std::string outcome_json;  ///< the case's outcome at that moment; empty when it had none
    std::int64_t at_ms = 0;
    int attempts = 0;  ///< attempts made before this one
    std::string step;  ///< the life-situation step whose case changed; empty for the case itself
};

/// One step of a life situation (docs/situations.md).
struct StepRecord {
    std::string step_id;
    std::string service;
    bool optional = false;
    int position = 0;
    /// pending, running, completed, rejected, failed, cancelled, skipped, not_applicable
    std::string status;
    std::string case_id;  ///< the step's own case, once it started
    std::string reason;
    std::string case_status;  ///< the step case's status, when it has one
};

class CaseStore {
public:
    virtual ~CaseStore() = default;

    /// Stores the case (status queued, history received + queued) and its outbox row in one
    /// transaction, or finds the earlier case with the same (office, idempotency key). Two
    /// submissions are the same case when their canonical JSON is equal (whitespace and key order
    /// do not matter).
    virtual SubmitResult submit(const Case& c, const std::string& message_id) = 0;

    virtual std::optional<Case> find(const std::string& case_id) = 0;

    /// Claims the outbox row due first (next attempt time <= now, not claimed) whose case's service
    /// is not in `skip_services` (registries with no free slot), and sets its case to `sending` in
    /// the same transaction, or returns nothing.
    virtual std::optional<OutboxItem> claim_next(std::int64_t now_ms,
                                                 const std::vector<std::string>& skip_services = {}) = 0;
    /// When the next row falls due, if any row is waiting.
    virtual std::optional<std::int64_t> next_due_ms() = 0;
    /// At start: rows claimed by a process that died go back to the queue.
    virtual int release_claims() = 0;

    /// A transient failure: keep the outbox row, due again at `next_ms`; status queued.
    virtual void reschedule(const OutboxItem& item, std::int64_t next_ms, const std::string& note,
                            const ExchangeRecord* exchange) = 0;
    /// Not an attempt: the registry is known to be down (circuit open). Due again at `next_ms`,
    /// attempts unchanged; status queued.
    virtual void postpone(const OutboxItem& item, std::int64_t next_ms, const std::string& note) = 0;
    /// A final answer: status, outcome, the exchange and the removal of the outbox row, atomically.
    virtual void finish(const OutboxItem& item, CaseStatus status, const std::optional<Outcome>& outcome,
                        const std::string& note, const ExchangeRecord* exchange) = 0;

    /// The registry will call back quoting `correlation`: status awaiting_registry with an interim
    /// outcome, the outbox row removed (nothing more is sent), the exchange kept; one transaction.
    virtual void await_callback(const OutboxItem& item, const std::string& registry, const std::string& correlation,
                                const Outcome& interim, const std::string& note, const ExchangeRecord* exchange) = 0;
    /// Takes `registry`'s callback `correlation` for one caller at a time: the awaiting case, or why
    /// there is none. A taken callback is finished or released; a crash releases it at start.
    virtual CallbackClaim claim_callback(const std::string& registry, const std::string& correlation) = 0;
    /// Gives a taken callback back (it could not be processed now); the case awaits it again.
    virtual void release_callback(const std::string& registry, const std::string& correlation) = 0;
    /// The callback arrived: final status, outcome and the callback's exchange, atomically, and the
    /// callback is marked answered; false (and nothing changed) unless this caller had taken it.
    virtual bool finish_callback(const std::string& case_id, const std::string& registry,
                                 const std::string& correlation, CaseStatus status, const Outcome& outcome,
                                 const std::string& note, const ExchangeRecord& exchange) = 0;

    /// Cases accepted and not yet final or awaiting a callback (outbox rows): what overload control
    /// compares with server.max_backlog. Cheap: no query.
    virtual std::int64_t backlog() const = 0;

    /// An exchange that did not end the attempt (a step of a multi-request case).
    virtual void record_exchange(const ExchangeRecord& exchange) = 0;

    virtual std::map<CaseStatus, std::int64_t> count_by_status() = 0;

    /// Every status change of a case with a callback URL adds an event in the same transaction.
    /// Claims the first event due whose case has no earlier undelivered event (order per case).
    virtual std::optional<PendingEvent> claim_event(std::int64_t now_ms) = 0;
    virtual void event_delivered(std::int64_t seq) = 0;
    /// Not delivered: due again at `next_ms`, the error kept for operators.
    virtual void event_retry(std::int64_t seq, std::int64_t next_ms, const std::string& error) = 0;
    /// At start: events claimed by a process that died are due again.
    virtual int release_event_claims() = 0;
    /// Events not yet delivered (for /metrics).
    virtual std::int64_t events_pending() = 0;

    /// A life situation: the case, with no outbox row (its steps become cases of their own), and its
    /// steps, pending; one durable transaction, idempotent like submit().
    virtual SubmitResult submit_situation(const Case& c, const std::vector<StepRecord>& steps) = 0;
    /// Situations not final yet.
    virtual std::vector<std::string> active_situations() = 0;
    virtual std::vector<StepRecord> steps(const std::string& situation_id) = 0;
    /// The step's case (with its outbox row) and the step set running, in one durable transaction.
    virtual void start_step(const std::string& situation_id, const std::string& step_id, const Case& step_case,
                            const std::string& message_id) = 0;
    virtual void end_step(const std::string& situation_id, const std::string& step_id, const std::string& status,
                          const std::string& reason) = 0;
    /// A situation's own status (and outcome), with its history and event.
    virtual void update_situation(const std::string& situation_id, CaseStatus status,
                                  const std::optional<Outcome>& outcome, const std::string& note) = 0;
    /// Marks a situation that is not final for cancelling; false when there is none.
    virtual bool request_cancel(const std::string& case_id) = 0;
    virtual bool cancel_requested(const std::string& case_id) = 0;
    /// Cancels a case still waiting in the outbox (not being sent); false otherwise.
    virtual bool cancel_queued(const std::string& case_id, const std::string& note) = 0;
    virtual std::vector<ExchangeRecord> exchanges(const std::string& case_id) = 0;
};

}  // namespace vikno::gateway
