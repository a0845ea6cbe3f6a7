#pragma once
// Takes cases from the outbox and carries each to its registry: the plugin translates, the
// transport sends, the plugin interprets; transient failures are retried with backoff under the
// same message id. A case's final state, outcome and exchange bytes are written in one transaction.

#include "audit/audit_log.h"
#include "common/space_watch.h"
#include "config/config.h"
#include "dispatch/backoff.h"
#include "dispatch/breaker.h"
#include "dispatch/registry_slots.h"
#include "logging/log_throttle.h"
#include "metrics/metrics.h"
#include "plugin_host/plugin_host.h"
#include "signing/credentials.h"
#include "store/case_store.h"
#include "store/held_claims.h"
#include "transport/http_transport.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace vikno::gateway {

/// The case status a final verdict gives (Completed, Rejected; anything else: Failed).
CaseStatus final_status(Verdict verdict);

class Dispatcher;

/// A waiting worker and a slot of the case's registry, kept for one case being submitted
/// (Dispatcher::promise_worker). The submission claims the case in its own commit and
/// Dispatcher::hand() gives it to that worker: the case needs no claim of its own. Dropped without
/// being handed, it gives the worker and the slot back. Empty (false) when nothing was kept.
class WorkerPromise {
public:
    WorkerPromise() = default;
    WorkerPromise(WorkerPromise&& other) noexcept;
    WorkerPromise& operator=(WorkerPromise&& other) noexcept;
    WorkerPromise(const WorkerPromise&) = delete;
    WorkerPromise& operator=(const WorkerPromise&) = delete;
    ~WorkerPromise();
    explicit operator bool() const { return dispatcher_ != nullptr; }

private:
    friend class Dispatcher;
    WorkerPromise(Dispatcher* dispatcher, std::string registry, std::string case_id)
        : dispatcher_(dispatcher), registry_(std::move(registry)), case_id_(std::move(case_id)) {}
    Dispatcher* dispatcher_ = nullptr;
    std::string registry_;
    std::string case_id_;
};

class Dispatcher {
public:
    Dispatcher(CaseStore& store, const PluginHost& plugins, const Credentials& credentials, const Config& config,
               Metrics& metrics, audit::AuditLog& audit, SpaceWatch& space);
    ~Dispatcher();
    Dispatcher(const Dispatcher&) = delete;
    Dispatcher& operator=(const Dispatcher&) = delete;

    /// Returns claimed rows of a previous process to the queue, then starts the workers.
    void start();
    /// Lets running exchanges finish, then joins the workers.
    void stop();
    /// A new case for `service` is in the outbox (empty: of any service).
    void notify(const std::string& service = {});
    /// Keeps a waiting worker and a free slot of `service`'s registry for case `case_id`, about to
    /// be submitted; empty when no worker waits, the registry has no free slot, or a claim is being
    /// made (then the outbox has work, and the case is claimed from there as usual).
    WorkerPromise promise_worker(const std::string& service, const std::string& case_id);
    /// Gives a case its submission claimed (SubmitResult::claimed) to the promised worker.
    void hand(WorkerPromise promise, OutboxItem item);
    /// The registries' circuit breakers (for GET /v1/registries and /metrics).
    const Breakers& breakers() const { return breakers_; }
    /// Exchanges in flight per registry, against each registry's max_in_flight.
    const RegistrySlots& slots() const { return slots_; }
    /// Writes audit entries (callbacks arrive through the API, not a worker); returns once on disk,
    /// with where each one went.
    std::vector<AuditEntryRef> audit_entries(const std::vector<Poco::JSON::Object::Ptr>& entries) {
        return audit_.append(entries);
    }

private:
    friend class WorkerPromise;
    /// A promise dropped without a case: its worker and slot are free again.
    void withdraw(const WorkerPromise& promise);
    /// A case handed by its submission, if one waits (under mutex_).
    std::optional<OutboxItem> take_handed();
    // What the audit log is told about one try.
    struct Attempt {
        const Case* c = nullptr;
        const LoadedPlugin* plugin = nullptr;
        std::string verification;
    };
    void run();
    /// The next due case whose registry has a free slot, with the slot taken; `skipped` says
    /// whether some registry had none. Empty-handed, `wait_ms` says how long the outbox is known to
    /// have nothing due (-1: not known; the caller asks the store).
    std::optional<OutboxItem> claim(bool& skipped, std::int64_t& wait_ms);
    void process(const OutboxItem& item);
    void retry_or_fail(const OutboxItem& item, const std::string& reason, ExchangeRecord* exchange,
                       const std::string& registry, const Attempt& attempt);
    /// The audit entries of a try: its exchange and, when final, the case's end.
    static std::vector<Poco::JSON::Object::Ptr> audit_entries_of(const Attempt& attempt, const ExchangeRecord* exchange,
                                                                 const std::string& outcome,
                                                                 std::optional<CaseStatus> final_status,
                                                                 const std::string& note);
    /// Writes a try that did not end the case to the audit log; returns once it is durable, with
    /// `exchange->audit_entry` naming its entry (the store keeps that, not the bytes).
    void audit(const Attempt& attempt, ExchangeRecord* exchange, const std::string& outcome);
    /// Ends the case, never before its evidence is recorded: into a log of its own the entries go
    /// first; into a log in the store's database, in the commit that ends the case, so that a case
    /// ended again after a crash is logged as ended once. Either way the store refers to the
    /// exchange's entry (`audit_entry`) instead of keeping its bytes.
    void end_case(const OutboxItem& item, const Attempt& attempt, ExchangeRecord* exchange,
                  const std::string& audit_outcome, CaseStatus status, const std::optional<Outcome>& outcome,
                  const std::string& note);
    /// Cases handed to workers that will not now send them (the gateway stops): back to the queue,
    /// so that the next start does not count them as interrupted.
    void give_back_unsent(std::vector<OutboxItem> items);
    void release_after_error(const OutboxItem& item, const std::string& error);
    /// Makes a write of the store or the audit log, waiting for room as long as the disk is full.
    void durably(const std::function<void()>& write);
    /// durably() for a write that puts a claimed case back in the outbox (a retry, a postponement):
    /// what the workers knew of the outbox being quiet no longer holds.
    void put_back(const std::function<void()>& write);
    std::int64_t backoff_ms(int attempts);

    CaseStore& store_;
    const PluginHost& plugins_;
    const Credentials& credentials_;
    const Config& config_;
    Metrics& metrics_;
    audit::AuditLog& audit_;
    SpaceWatch& space_;
    HttpTransport transport_;

    std::mutex mutex_;
    std::condition_variable wake_;
    // Workers waiting in wake_ for work, promises of them not yet taken up, and the cases handed
    // to them (claimed by their submissions). Under mutex_.
    int waiting_ = 0;
    int promised_ = 0;
    std::deque<OutboxItem> handed_;
    std::atomic<bool> stopping_{false};
    std::vector<std::thread> workers_;
    std::mutex backoff_mutex_;
    Backoff backoff_;
    Breakers breakers_;
    std::mutex claim_mutex_;  // the skip list a claim uses and the slot it takes must agree
    // What a claim that skipped full registries' services last found nothing beyond: such a claim
    // reads every due row of those registries (the whole backlog while one is saturated), so it is
    // not made again with the same skip list until a case of another service arrives or a second
    // has passed (a retry of another registry falling due). Under claim_mutex_.
    std::vector<std::string> nothing_beyond_;
    std::int64_t nothing_beyond_until_ms_ = 0;
    // Until when the whole outbox has nothing due, as a claim that found nothing read it: the idle
    // workers wait for that without asking the database again (under load, several empty claims per
    // case were each a round trip to it). Every case this instance puts back (put_back()) or adds, and every
    // wake-up from another instance, forgets it; it never lasts longer than the idle poll, so what
    // nothing announces (a lapsed lease, a requeue from the CLI) is found as soon as before.
    // Under claim_mutex_.
    std::int64_t quiet_until_ms_ = 0;
    RegistrySlots slots_;
    HeldClaims<std::string> held_;  // the cases the workers hold
    LogThrottle log_throttle_;
};

}  // namespace vikno::gateway
