#include "dispatch/dispatcher.h"

#include "audit/entries.h"
#include "common/clock.h"
#include "logging/log_throttle.h"
#include "signing/message_signing.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <utility>

namespace vikno::gateway {
namespace {

constexpr std::int64_t kIdlePollMs = 1000;
constexpr int kMaxSteps = 8;  // requests one case may need at one registry

// Thrown out of durably() when the gateway stops before there was room for a write: the case stays
// claimed, and the next start sends it again under the same message id.
class StoppedWhileFull : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace

CaseStatus final_status(Verdict verdict) {
    return verdict == Verdict::Completed  ? CaseStatus::Completed
           : verdict == Verdict::Rejected ? CaseStatus::Rejected
                                          : CaseStatus::Failed;
}

namespace {

Outcome outcome_of(const std::string& uk, const std::string& en) {
    Outcome outcome;
    outcome.message_uk = uk;
    outcome.message_en = en;
    return outcome;
}

}  // namespace

Dispatcher::Dispatcher(CaseStore& store, const PluginHost& plugins, const Credentials& credentials,
                       const Config& config, Metrics& metrics, audit::AuditLog& audit, SpaceWatch& space)
    : store_(store),
      plugins_(plugins),
      credentials_(credentials),
      config_(config),
      metrics_(metrics),
      audit_(audit),
      space_(space),
      transport_(config.dispatch.connect_timeout_ms, config.dispatch.request_timeout_ms),
      backoff_(config.dispatch.backoff_initial_ms, config.dispatch.backoff_max_ms),
      breakers_(config.dispatch.breaker_failures, config.dispatch.breaker_cooldown_ms,
                config.dispatch.breaker_max_cooldown_ms) {
    for (const LoadedPlugin& loaded : plugins.plugins()) {
        std::vector<std::string> services;
        for (const auto& service : loaded.descriptor.services) services.push_back(service.code);
        slots_.add(loaded.descriptor.name,
                   config.dispatch.max_in_flight(config.plugins.at(loaded.config_index).max_in_flight),
                   std::move(services));
    }
}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::start() {
    if (const int released = store_.release_claims(); released > 0) {
        spdlog::warn(
            "dispatch: {} case(s) were in flight when the gateway last stopped; sending them again with "
            "their original message ids",
            released);
    }
    store_.on_new_work([this] {  // another instance added a case, of a service not known here
        {
            const std::lock_guard lock(claim_mutex_);
            nothing_beyond_until_ms_ = 0;
            quiet_until_ms_ = 0;
        }
        wake_.notify_all();
    });
    for (int i = 0; i < config_.dispatch.workers; ++i) {
        workers_.emplace_back([this] { run(); });
    }
}

void Dispatcher::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_.exchange(true)) return;
    }
    wake_.notify_all();
    for (auto& worker : workers_) worker.join();
    workers_.clear();
    std::vector<OutboxItem> unsent;
    {
        const std::lock_guard lock(mutex_);
        unsent.assign(std::make_move_iterator(handed_.begin()), std::make_move_iterator(handed_.end()));
        handed_.clear();
    }
    give_back_unsent(std::move(unsent));
    store_.on_new_work(nullptr);
}

void Dispatcher::give_back_unsent(std::vector<OutboxItem> items) {
    for (const auto& item : items) {
        try {
            store_.postpone(item, now_ms(), "the gateway stopped before sending it");
        } catch (const std::exception& e) {
            spdlog::warn("case {}: stays claimed; the next start sends it ({})", item.case_id, e.what());
        }
        held_.let_go(item.case_id);
    }
}

void Dispatcher::notify(const std::string& service) {
    {
        const std::lock_guard lock(claim_mutex_);
        if (service.empty() ||
            std::find(nothing_beyond_.begin(), nothing_beyond_.end(), service) == nothing_beyond_.end()) {
            nothing_beyond_until_ms_ = 0;  // a case the skipping claim may find
        }
        quiet_until_ms_ = 0;
    }
    wake_.notify_one();
}

WorkerPromise::WorkerPromise(WorkerPromise&& other) noexcept
    : dispatcher_(std::exchange(other.dispatcher_, nullptr)),
      registry_(std::move(other.registry_)),
      case_id_(std::move(other.case_id_)) {}

WorkerPromise& WorkerPromise::operator=(WorkerPromise&& other) noexcept {
    if (this != &other) {
        if (dispatcher_ != nullptr) dispatcher_->withdraw(*this);
        dispatcher_ = std::exchange(other.dispatcher_, nullptr);
        registry_ = std::move(other.registry_);
        case_id_ = std::move(other.case_id_);
    }
    return *this;
}

WorkerPromise::~WorkerPromise() {
    if (dispatcher_ != nullptr) dispatcher_->withdraw(*this);
}

WorkerPromise Dispatcher::promise_worker(const std::string& service, const std::string& case_id) {
    const LoadedPlugin* loaded = plugins_.for_service(service);
    if (loaded == nullptr || stopping_ || !space_.writable()) return {};
    // A claim in progress means the outbox has work (or will say when): the case goes there. The
    // slot is taken under the claim's lock, so that claims and promises agree on the free slots.
    const std::unique_lock claiming(claim_mutex_, std::try_to_lock);
    if (!claiming.owns_lock()) return {};
    {
        const std::lock_guard lock(mutex_);
        if (waiting_ <= promised_ || !slots_.try_take(loaded->descriptor.name)) return {};
        ++promised_;
    }
    // Held before the submission's commit makes the claim: a release of lost claims never takes it.
    held_.hold(case_id);
    return WorkerPromise(this, loaded->descriptor.name, case_id);
}

void Dispatcher::hand(WorkerPromise promise, OutboxItem item) {
    {
        const std::lock_guard lock(mutex_);
        handed_.push_back(std::move(item));
    }
    promise.dispatcher_ = nullptr;  // its slot and hold now go with the case to the worker
    wake_.notify_one();
}

void Dispatcher::withdraw(const WorkerPromise& promise) {
    {
        const std::lock_guard lock(mutex_);
        --promised_;
    }
    held_.let_go(promise.case_id_);
    if (slots_.give(promise.registry_)) wake_.notify_one();  // a full registry's cases may go again
}

std::optional<OutboxItem> Dispatcher::take_handed() {
    if (handed_.empty()) return std::nullopt;
    OutboxItem item = std::move(handed_.front());
    handed_.pop_front();
    --promised_;
    return item;
}

void Dispatcher::put_back(const std::function<void()>& write) {
    durably(write);
    const std::lock_guard lock(claim_mutex_);
    quiet_until_ms_ = 0;
}

void Dispatcher::durably(const std::function<void()>& write) {
    // Out of space: the answer in hand is kept here, in memory, until the write can be made; a
    // crash meanwhile loses only that copy, and the case is asked again under its message id.
    if (!space_.retry_until_written(write, [this] { return stopping_.load(); })) {
        throw StoppedWhileFull("the gateway is stopping while the disk is full");
    }
}

std::int64_t Dispatcher::backoff_ms(int attempts) {
    std::lock_guard lock(backoff_mutex_);
    return backoff_.delay_ms(attempts);
}

void Dispatcher::run() {
    while (!stopping_) {
        std::optional<OutboxItem> item;
        bool skipped = false;
        std::int64_t wait = -1;
        if (!space_.writable()) {  // out of space: send nothing whose answer could not be kept
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_.load(); });
            continue;
        }
        try {
            {
                const std::lock_guard lock(mutex_);
                item = take_handed();  // its slot was taken by the promise
            }
            if (!item) item = claim(skipped, wait);
            if (item) {
                const LoadedPlugin* loaded = plugins_.for_service(item->service);
                // Taken by claim(); a worker idling because that registry was full may go on.
                const SlotHold slot(slots_, loaded != nullptr ? loaded->descriptor.name : "",
                                    [this] { wake_.notify_one(); });
                const HeldClaims<std::string>::Hold held(held_, item->case_id);
                process(*item);
                continue;
            }
        } catch (const StoppedWhileFull&) {
            if (item) spdlog::warn("case {}: stays claimed; the next start sends it again", item->case_id);
            break;
        } catch (const StorageFull& e) {
            // From the claim itself (nothing claimed, nothing changed): wait for room below.
            space_.report_full(e.what());
        } catch (const StoreUnavailable& e) {
            space_.report_unavailable(e.what());
            // Reading the case failed after the claim: give it back once the database answers.
            try {
                if (item) put_back([&] { store_.postpone(*item, now_ms(), "the store's database was away"); });
            } catch (const StoppedWhileFull&) {
                break;  // stopping: the claim lapses with this instance's lease
            }
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stopping_.load(); });
            continue;
        } catch (const std::exception& e) {
            log_error_throttled(log_throttle_, "claim", std::string("dispatch: ") + e.what());
            if (item) release_after_error(*item, e.what());
        }
        if (wait < 0) {
            wait = kIdlePollMs;
            try {
                // A row due now that could not be claimed belongs to a registry with every slot taken:
                // wait for a slot to be given back (it wakes us) rather than spin.
                if (auto due = store_.next_due_ms()) {
                    const std::int64_t until_due = *due - now_ms();
                    wait = until_due > 0 ? std::min(until_due, kIdlePollMs) : skipped ? kIdlePollMs : 0;
                }
            } catch (const std::exception& e) {
                log_error_throttled(log_throttle_, "next due", std::string("dispatch: ") + e.what());
            }
        }
        if (wait > 0) {
            std::unique_lock lock(mutex_);
            if (stopping_) break;
            if (!handed_.empty()) continue;
            ++waiting_;
            wake_.wait_for(lock, std::chrono::milliseconds(wait));
            --waiting_;
        }
    }
}

std::optional<OutboxItem> Dispatcher::claim(bool& skipped, std::int64_t& wait_ms) {
    std::lock_guard lock(claim_mutex_);
    const auto skip = slots_.full_services();
    skipped = !skip.empty();
    wait_ms = -1;
    if (const std::int64_t now = now_ms(); now < quiet_until_ms_) {
        wait_ms = quiet_until_ms_ - now;
        return std::nullopt;
    }
    if (skipped && skip == nothing_beyond_ && now_ms() < nothing_beyond_until_ms_) return std::nullopt;
    // When nothing is claimed: when the next row falls due, read with the claim and under its lock, so
    // that a case added meanwhile either is seen here (due now: nothing is remembered) or its notify()
    // comes after and forgets what is remembered.
    std::optional<std::int64_t> due;
    auto item = held_.take(
        [&] {
            auto claim = store_.claim_or_next_due(now_ms(), skip);
            due = claim.next_due_ms;
            return claim.item;
        },
        [](const OutboxItem& claimed) { return claimed.case_id; },
        [this](const std::vector<std::string>& held) {
            if (const int released = store_.release_orphans(held); released > 0) {
                spdlog::warn("dispatch: {} claim(s) lost with the database connection given back", released);
            }
        });
    if (item) {
        if (const LoadedPlugin* loaded = plugins_.for_service(item->service)) slots_.take(loaded->descriptor.name);
    } else if (skipped) {
        nothing_beyond_ = skip;
        const std::int64_t now = now_ms();
        nothing_beyond_until_ms_ = now + kIdlePollMs;
        // A row due now that could not be claimed belongs to a registry with every slot taken: wait
        // for a slot to be given back (it wakes us) rather than spin.
        const std::int64_t until_due = due ? *due - now : kIdlePollMs;
        wait_ms = until_due > 0 ? std::min(until_due, kIdlePollMs) : kIdlePollMs;
    } else {
        const std::int64_t now = now_ms();
        const std::int64_t until = due ? std::min(*due, now + kIdlePollMs) : now + kIdlePollMs;
        if (until > now) {
            quiet_until_ms_ = until;
            wait_ms = until - now;
        } else {
            wait_ms = 0;  // due now, taken meanwhile by another instance's claim: claim again
        }
    }
    return item;
}

void Dispatcher::release_after_error(const OutboxItem& item, const std::string& error) {
    // Back to the queue, so the case is not left claimed (and stuck) until the next restart.
    try {
        retry_or_fail(item, "internal error: " + error, nullptr, "gateway", Attempt{});
    } catch (const std::exception& e) {
        spdlog::error("dispatch: case {} stays claimed until the gateway restarts: {}", item.case_id, e.what());
    }
}

std::vector<Poco::JSON::Object::Ptr> Dispatcher::audit_entries_of(const Attempt& attempt,
                                                                  const ExchangeRecord* exchange,
                                                                  const std::string& outcome,
                                                                  std::optional<CaseStatus> final_status,
                                                                  const std::string& note) {
    std::vector<Poco::JSON::Object::Ptr> entries;
    if (attempt.c == nullptr) return entries;
    if (exchange != nullptr) {
        entries.push_back(audit::exchange_entry(
            *attempt.c, *exchange,
            {attempt.plugin != nullptr ? attempt.plugin->descriptor.version : "",
             attempt.verification.empty() ? "not checked (no answer)" : attempt.verification, outcome}));
    }
    if (final_status) entries.push_back(audit::case_event(*attempt.c, std::string(to_string(*final_status)), note));
    return entries;
}

void Dispatcher::audit(const Attempt& attempt, ExchangeRecord* exchange, const std::string& outcome) {
    const auto entries = audit_entries_of(attempt, exchange, outcome, std::nullopt, "");
    if (entries.empty()) return;
    std::vector<AuditEntryRef> refs;
    durably([&] { refs = audit_.append(entries); });
    if (exchange != nullptr && !refs.empty()) exchange->audit_entry = refs.front();
}

void Dispatcher::end_case(const OutboxItem& item, const Attempt& attempt, ExchangeRecord* exchange,
                          const std::string& audit_outcome, CaseStatus status, const std::optional<Outcome>& outcome,
                          const std::string& note) {
    const auto entries = audit_entries_of(attempt, exchange, audit_outcome, status, note);
    const std::size_t evidence = entries.empty() ? 0 : entries.size() - 1;  // all but the end's entry
    // audit_entries_of() puts the exchange's entry first.
    const bool with_exchange = exchange != nullptr && entries.size() > 1;
    if (!entries.empty()) {
        if (const auto rows = audit_.rows_for_store(entries, evidence)) {
            // Queued whatever happens (evidence), in the same commit as the exchange's row.
            if (with_exchange) exchange->audit_entry = AuditEntryRef{0, 0, rows->digests.front()};
            durably([&] { store_.finish(item, status, outcome, note, exchange, &*rows); });
            audit_.queued_by_store();
            return;
        }
        std::vector<AuditEntryRef> refs;
        durably([&] { refs = audit_.append(entries); });
        if (with_exchange) exchange->audit_entry = refs.front();
    }
    durably([&] { store_.finish(item, status, outcome, note, exchange); });
}

void Dispatcher::retry_or_fail(const OutboxItem& item, const std::string& reason, ExchangeRecord* exchange,
                               const std::string& registry, const Attempt& attempt) {
    const int attempts = item.attempts + 1;
    if (attempts >= config_.dispatch.max_attempts) {
        spdlog::warn("case {}: {} failed after {} attempt(s): {}", item.case_id, registry, attempts, reason);
        const std::string note = "gave up after " + std::to_string(attempts) + " attempts: " + reason;
        end_case(item, attempt, exchange, "failed", CaseStatus::Failed,
                 outcome_of(
                     "Реєстр недоступний: запит не виконано після " + std::to_string(attempts) + " спроб",
                     "The registry is unavailable: the request failed after " + std::to_string(attempts) + " attempts"),
                 note);
        return;
    }
    const std::int64_t delay = backoff_ms(attempts);
    spdlog::info("case {}: {} attempt {} did not complete ({}); retry in {} ms", item.case_id, registry, attempts,
                 reason, delay);
    audit(attempt, exchange, "retry");
    put_back([&] {
        store_.reschedule(item, now_ms() + delay, "attempt " + std::to_string(attempts) + ": " + reason, exchange);
    });
}

void Dispatcher::process(const OutboxItem& item) {
    // The claim read the submission (one read of the case fewer); find() when it did not parse.
    std::optional<Case> found;
    if (!item.submission) {
        found = store_.find(item.case_id);
        if (!found) {
            spdlog::error("case {}: in the outbox but not in the store; dropping the outbox row", item.case_id);
            durably([&] { store_.finish(item, CaseStatus::Failed, std::nullopt, "case document missing", nullptr); });
            return;
        }
    }
    const Case& c = item.submission ? *item.submission : *found;
    const LoadedPlugin* loaded = plugins_.for_service(c.service);
    if (loaded == nullptr) {
        retry_or_fail(item, "no loaded plugin offers service " + c.service, nullptr, "gateway",
                      Attempt{&c, nullptr, ""});
        return;
    }
    const std::string& registry = loaded->descriptor.name;

    const ExchangeContext context{config_.xroad, item.message_id, c.office.operator_id, c.id};
    const CaseView view(c);  // what the plugin reads, built once per attempt
    auto exchange = loaded->plugin->translate(view, context);
    Attempt attempt{&c, loaded, ""};
    if (!exchange) {
        spdlog::warn("case {}: {} could not build the request: {}", c.id, registry, exchange.error().code);
        end_case(item, attempt, nullptr, "failed", CaseStatus::Failed,
                 outcome_of("Запит до реєстру не вдалося сформувати", "The registry request could not be built"),
                 exchange.error().code + ": " + exchange.error().message);
        return;
    }

    const SignatureProfile profile = loaded->descriptor.signature;
    const RegistryTrust& trust = credentials_.registry(loaded->config_index);
    Exchange current = std::move(exchange).value();
    // A registry may need several requests for one case (search, then details): the plugin answers
    // Continue with the next one. Each step is signed, checked, recorded and audited on its own; a
    // transient failure at any step retries the case from its first step.
    for (int step = 1;; ++step) {
        if (auto signed_request = sign_request(profile, current, target_uri(loaded->endpoint, current.path),
                                               credentials_.signer(), std::time(nullptr));
            !signed_request) {
            spdlog::error("case {}: the request to {} could not be signed: {}", c.id, registry,
                          signed_request.error().message);
            retry_or_fail(item,
                          "signing failed: " + signed_request.error().code + ": " + signed_request.error().message,
                          nullptr, registry, attempt);
            return;
        }

        // A registry known to be down is not sent to: the case waits (no attempt is spent) until the
        // breaker lets a probe through.
        if (const std::int64_t wait_until = breakers_.admit(registry, now_ms()); wait_until != 0) {
            put_back([&] {
                store_.postpone(item, wait_until,
                                registry + " is unavailable (circuit open); waiting for it to recover");
            });
            return;
        }
        const std::int64_t started = now_ms();
        const auto clock_start = std::chrono::steady_clock::now();
        const TransportResult sent = transport_.send(loaded->endpoint, current, trust.tls);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();

        ExchangeRecord record{c.id,
                              item.attempts + 1,
                              registry,
                              loaded->endpoint,
                              started,
                              static_cast<std::int64_t>(seconds * 1000),
                              sent.request_bytes,
                              sent.response_bytes,
                              sent.answer.status,
                              sent.error};
        attempt.verification.clear();
        if (!sent.delivered()) {
            breakers_.failure(registry, now_ms());
            metrics_.observe_exchange(
                registry, sent.failure == TransportResult::Failure::Tls ? "tls_error" : "transport_error", seconds);
            retry_or_fail(item, sent.error, &record, registry, attempt);
            return;
        }
        // Nothing of the answer reaches the plugin before its signature is checked against the pin.
        const AnswerCheck check =
            check_answer(profile, current, sent.answer, trust.answer_certificate, std::time(nullptr));
        attempt.verification = check.outcome == AnswerCheck::Outcome::Verified ? "verified" : check.reason;
        if (check.outcome != AnswerCheck::Outcome::Verified) {
            metrics_.observe_exchange(registry, "answer_refused", seconds);
            if (check.outcome == AnswerCheck::Outcome::Refused) breakers_.success(registry);  // it is up, if wrong
            if (check.outcome == AnswerCheck::Outcome::Transient) {
                breakers_.failure(registry, now_ms());
                retry_or_fail(item, check.reason, &record, registry, attempt);
                return;
            }
            spdlog::warn("case {}: {} {}", c.id, registry, check.reason);
            end_case(item, attempt, &record, "failed", CaseStatus::Failed,
                     outcome_of("Відповідь реєстру не пройшла перевірку підпису; запит не виконано",
                                "The registry's answer failed signature verification; the request was not "
                                "completed"),
                     check.reason);
            return;
        }
        metrics_.observe_exchange(registry, "answered", seconds);
        Interpretation meaning = loaded->plugin->interpret(view, current, sent.answer);
        refuse_unreadable_document(meaning, registry);
        // The registry answered for itself: "busy" (Retry) counts against it, anything else for it.
        if (meaning.verdict == Verdict::Retry) {
            breakers_.failure(registry, now_ms());
        } else {
            breakers_.success(registry);
        }
        if (meaning.verdict == Verdict::Continue) {
            if (!meaning.next || step >= kMaxSteps) {
                meaning.verdict = Verdict::Failed;
                meaning.reason = !meaning.next ? "the plugin asked to continue without a next request"
                                               : "more than " + std::to_string(kMaxSteps) + " requests for one case";
                meaning.outcome = outcome_of("Помилка модуля реєстру: запит не завершено",
                                             "The registry plugin failed: the request was not completed");
            } else {
                spdlog::info("case {}: {} step {} answered in {:.0f} ms; next request ({})", c.id, registry, step,
                             seconds * 1000, meaning.reason);
                audit(attempt, &record, "continue");
                durably([&] { store_.record_exchange(record); });
                current = std::move(*meaning.next);
                continue;
            }
        }
        switch (meaning.verdict) {
            case Verdict::Retry:
                retry_or_fail(item, meaning.reason, &record, registry, attempt);
                return;
            case Verdict::Await:
                if (!meaning.awaiting.empty()) {
                    spdlog::info("case {}: {} will call back ({})", c.id, registry, meaning.reason);
                    audit(attempt, &record, "awaiting");
                    durably([&] {
                        store_.await_callback(item, registry, meaning.awaiting, meaning.outcome, meaning.reason,
                                              &record);
                    });
                    return;
                }
                meaning.reason = "the plugin awaits a callback without saying which";
                [[fallthrough]];
            case Verdict::Continue:  // handled above
            case Verdict::Completed:
            case Verdict::Rejected:
            case Verdict::Failed: {
                const CaseStatus status = final_status(meaning.verdict);
                spdlog::info("case {}: {} answered in {:.0f} ms: {} ({})", c.id, registry, seconds * 1000,
                             to_string(status), meaning.reason);
                end_case(item, attempt, &record, std::string(to_string(status)), status, meaning.outcome,
                         meaning.reason);
                return;
            }
        }
    }
}

}  // namespace vikno::gateway
