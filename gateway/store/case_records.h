#pragma once
// Cases: the documents with their status and history, idempotent submission, and the exact bytes
// of every exchange. One part of the store (case_store.h); SQLite and PostgreSQL implement it.

#include "common/audit_rows.h"
#include "store/case_query.h"
#include "store/outbox_item.h"

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
    /// A new case the submission claimed for the caller (`claim` asked for it and the store can):
    /// its status is sending, and the caller hands it to a worker. Empty otherwise.
    std::optional<OutboxItem> claimed = std::nullopt;
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
    /// The audit log's entry holding this exchange. When set, the store keeps only this reference
    /// and reads the exchange back with empty bytes: the audit log is their one record
    /// (AuditLog::entry_text reads the entry, whose `request` and `response` are base64).
    std::optional<AuditEntryRef> audit_entry = std::nullopt;
};

class CaseRecords {
public:
    virtual ~CaseRecords() = default;

    /// Stores the case (status queued, history received + queued) and its outbox row in one
    /// transaction, or finds the earlier case with the same (office, idempotency key). Two
    /// submissions are the same case when their canonical JSON is equal (whitespace and key order
    /// do not matter). Returns once the new case is durable. `received`: the audit log's rows for
    /// the case's first entry (AuditLog::rows_for_store), for a log kept in the store's database,
    /// queued in the same commit when the case is new and not at all when it is not, so that the
    /// case and the first line of its story cannot part (all of them, whatever their `evidence`).
    /// `claim`: a dispatcher worker is waiting for this very case, so the new case is also claimed
    /// and set to sending (history received, queued, sending) in the same commit, and returned in
    /// `claimed`. That saves the claim's own transaction; a store that cannot do it leaves the case
    /// queued and `claimed` empty.
    virtual SubmitResult submit(const Case& c, const std::string& message_id, const AuditRows* received = nullptr,
                                bool claim = false) = 0;
    virtual std::optional<Case> find(const std::string& case_id) = 0;
    virtual std::map<CaseStatus, std::int64_t> count_by_status() = 0;
    /// Cases matching `query`, newest first (the console's lists and figures).
    virtual std::vector<CaseRow> search(const CaseQuery& query) = 0;
    /// The case's exchanges in order; the bytes of one recorded with an `audit_entry` are in the
    /// audit log only.
    virtual std::vector<ExchangeRecord> exchanges(const std::string& case_id) = 0;
    /// An exchange that did not end the attempt (a step of a multi-request case).
    virtual void record_exchange(const ExchangeRecord& exchange) = 0;

    /// Marks a situation that is not final for cancelling; false when there is none.
    virtual bool request_cancel(const std::string& case_id) = 0;
    virtual bool cancel_requested(const std::string& case_id) = 0;
    /// Cancels a case still waiting in the outbox (not being sent); false otherwise.
    virtual bool cancel_queued(const std::string& case_id, const std::string& note) = 0;
};

}  // namespace vikno::gateway
