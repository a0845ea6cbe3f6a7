#pragma once
// Carries life situations forward: a step whose needs have completed becomes a case of its own
// (signed, audited, retried and guarded by its registry's breaker like any case); when no step is
// left to run, the situation gets its final status and an outcome that says what each step did.
// Every move is a store transaction, so a crash at any point is resumed from the store.

#include "audit/audit_log.h"
#include "common/space_watch.h"
#include "logging/log_throttle.h"
#include "situations/definition.h"
#include "store/case_store.h"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace vikno::gateway {

class SituationRunner {
public:
    /// `wake` tells the dispatcher that a step's case is in the outbox.
    SituationRunner(CaseStore& store, const Situations& situations, audit::AuditLog& audit, SpaceWatch& space,
                    std::function<void()> wake);
    ~SituationRunner();
    SituationRunner(const SituationRunner&) = delete;
    SituationRunner& operator=(const SituationRunner&) = delete;

    void start();
    void stop();
    /// One pass over one situation (the worker calls it for every active situation; not thread-safe).
    void advance(const std::string& situation_id);

private:
    void run();

    CaseStore& store_;
    const Situations& situations_;
    audit::AuditLog& audit_;
    SpaceWatch& space_;
    LogThrottle log_throttle_;
    std::function<void()> wake_dispatcher_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::atomic<bool> stopping_{false};
    std::thread worker_;
    std::map<std::string, std::string> last_seen_;  // situation -> its steps' states at the last pass
};

/// How a situation ends once no step is left to run: its status, an outcome listing every step, and
/// the note for its history. Cancelled if asked; a required step not completed (refused, failed or
/// never run) fails it, rejected when a registry refused; an optional one not completed makes it
/// partly_completed.
struct SituationSummary {
    CaseStatus status = CaseStatus::Completed;
    Outcome outcome;
    std::string note;
};
SituationSummary summarise(const SituationDefinition& d, const std::vector<StepRecord>& steps, bool cancelled,
                           const std::map<std::string, Outcome>& outcomes);

/// The subject a step's case gets; `missing` names the first field without a value.
Poco::JSON::Object::Ptr step_subject(const StepDefinition& step, const Case& application,
                                     const std::map<std::string, Outcome>& outcomes, std::string& missing);

}  // namespace vikno::gateway
