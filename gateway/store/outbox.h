#pragma once
// The outbox the dispatcher works from: one row per case still to be sent, claimed by one worker at
// a time, with its attempts and the time it is due. One part of the store (case_store.h).

#include "common/audit_rows.h"
#include "store/case_records.h"
#include "store/outbox_item.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vikno::gateway {

class Outbox {
public:
    virtual ~Outbox() = default;

    /// Claims the outbox row due first (next attempt time <= now, not claimed) whose case's service
    /// is not in `skip_services` (registries with no free slot), and sets its case to `sending` in
    /// the same transaction, or returns nothing.
    virtual std::optional<OutboxItem> claim_next(std::int64_t now_ms,
                                                 const std::vector<std::string>& skip_services = {}) = 0;
    /// When the next row falls due, if any row is waiting.
    virtual std::optional<std::int64_t> next_due_ms() = 0;

    /// A claim, or when it took nothing, when the next row falls due (nothing: no row is waiting).
    struct Claim {
        std::optional<OutboxItem> item;
        std::optional<std::int64_t> next_due_ms;
    };
    /// claim_next(), and next_due_ms() when it took nothing, so that a worker knows how long to wait.
    /// A store whose every statement is a round trip answers both with one.
    virtual Claim claim_or_next_due(std::int64_t now_ms, const std::vector<std::string>& skip_services = {}) {
        Claim claim{claim_next(now_ms, skip_services), std::nullopt};
        if (!claim.item) claim.next_due_ms = next_due_ms();
        return claim;
    }
    /// At start: rows claimed by a process that died go back to the queue.
    virtual int release_claims() = 0;

    /// A transient failure: keep the outbox row, due again at `next_ms`; status queued.
    virtual void reschedule(const OutboxItem& item, std::int64_t next_ms, const std::string& note,
                            const ExchangeRecord* exchange) = 0;
    /// Not an attempt: the registry is known to be down (circuit open). Due again at `next_ms`,
    /// attempts unchanged; status queued.
    virtual void postpone(const OutboxItem& item, std::int64_t next_ms, const std::string& note) = 0;
    /// A final answer: status, outcome, the exchange and the removal of the outbox row, atomically;
    /// durable when it returns. `audit` (only for a store that holds the audit log's queue, see
    /// common/audit_rows.h) is queued in the same transaction.
    virtual void finish(const OutboxItem& item, CaseStatus status, const std::optional<Outcome>& outcome,
                        const std::string& note, const ExchangeRecord* exchange, const AuditRows* audit = nullptr) = 0;
    /// The registry will call back quoting `correlation`: status awaiting_registry with an interim
    /// outcome, the outbox row removed (nothing more is sent), the exchange kept; one transaction.
    virtual void await_callback(const OutboxItem& item, const std::string& registry, const std::string& correlation,
                                const Outcome& interim, const std::string& note, const ExchangeRecord* exchange) = 0;

    /// Cases accepted and not yet final or awaiting a callback (outbox rows): what overload control
    /// compares with server.max_backlog. Cheap: at most one query every 200 ms.
    virtual std::int64_t backlog() const = 0;
    /// Claims of this instance that none of its workers holds, given back: a claim whose reply was
    /// lost with the database connection (its COMMIT may have gone through). `held`: the case ids the
    /// workers hold. The embedded store never loses a reply: nothing to do.
    virtual int release_orphans(const std::vector<std::string>& held) {
        (void)held;
        return 0;
    }
    /// Calls `wake` when another instance adds work. The embedded store has no other instance.
    virtual void on_new_work(std::function<void()> wake) { (void)wake; }
};

}  // namespace vikno::gateway
