#pragma once
// Life situations (docs/situations.md): a situation's own case and its steps, each of which becomes
// a case of its own. One part of the store (case_store.h).

#include "store/case_records.h"

#include <optional>
#include <string>
#include <vector>

namespace vikno::gateway {

/// One step of a life situation.
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

class SituationSteps {
public:
    virtual ~SituationSteps() = default;

    /// A life situation: the case, with no outbox row (its steps become cases of their own), and its
    /// steps, pending; one durable transaction, idempotent like submit(), `received` as there.
    virtual SubmitResult submit_situation(const Case& c, const std::vector<StepRecord>& steps,
                                          const AuditRows* received = nullptr) = 0;
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
};

}  // namespace vikno::gateway
