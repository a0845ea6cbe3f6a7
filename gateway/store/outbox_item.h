#pragma once
// One outbox row a dispatcher worker holds: what the claim (or a submission that claimed its own
// case, CaseRecords::submit) hands to the worker. Shared by the outbox and the case records.

#include <vikno/case.h>

#include <memory>
#include <string>

namespace vikno::gateway {

/// One outbox row a dispatcher worker has claimed.
struct OutboxItem {
    std::string case_id;
    std::string message_id;  ///< the X-Road id, the same on every attempt
    int attempts = 0;        ///< attempts made before this one
    std::string service;     ///< the case's service code (which registry it goes to)
    /// The case's submission (with its id), read with the claim, saving the dispatcher a find(); null
    /// when it did not parse (find() says why). Its status, history and outcome are not filled in.
    std::shared_ptr<const Case> submission;
};

/// Sets `item.submission` from the case's stored submission (its JSON text), if that parses.
void attach_submission(OutboxItem& item, const std::string& stored);

/// The item of a new case its submission claimed (CaseRecords::submit's `claim`): its first attempt,
/// with the submission read back from `stored` as a claim reads it, so that the worker sees what
/// every later attempt will.
OutboxItem claimed_at_submission(const Case& c, const std::string& message_id, const std::string& stored);

}  // namespace vikno::gateway
