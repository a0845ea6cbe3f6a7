#pragma once
// Case events waiting to be delivered to CNAP back-ends (docs/api.md, "Callbacks"): every status
// change of a case with a callback URL adds one in the same transaction. One part of the store
// (case_store.h).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vikno::gateway {

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

class CaseEvents {
public:
    virtual ~CaseEvents() = default;

    /// Claims the first event due whose case has no earlier undelivered event (order per case).
    virtual std::optional<PendingEvent> claim_event(std::int64_t now_ms) = 0;
    virtual void event_delivered(std::int64_t seq) = 0;
    /// Not delivered: due again at `next_ms`, the error kept for operators.
    virtual void event_retry(std::int64_t seq, std::int64_t next_ms, const std::string& error) = 0;
    /// At start: events claimed by a process that died are due again.
    virtual int release_event_claims() = 0;
    /// Event claims of this instance that none of its senders holds, given back (a claim whose reply
    /// the database connection lost). The embedded store never loses a reply.
    virtual int release_event_orphans(const std::vector<std::int64_t>& held) {
        (void)held;
        return 0;
    }
    /// Events not yet delivered (for /metrics).
    virtual std::int64_t events_pending() = 0;
};

}  // namespace vikno::gateway
