#include "situations/situation_runner.h"

#include "audit/entries.h"
#include "common/ids.h"

#include <vikno/case_json.h>

#include <Poco/JSON/Array.h>

#include <spdlog/spdlog.h>

#include <set>

namespace vikno::gateway {
namespace {

// How often active situations are looked at: a step's case that became final is noticed within this.
constexpr auto kPoll = std::chrono::milliseconds(50);

bool ended(const std::string& status) { return status != "pending" && status != "running"; }
bool succeeded(const std::string& status) { return status == "completed"; }

// Sets `value` at the dotted `path`, making the objects on the way.
void set_path(const Poco::JSON::Object::Ptr& root, const std::string& path, const Poco::Dynamic::Var& value) {
    Poco::JSON::Object::Ptr object = root;
    std::string_view rest = path;
    for (auto dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
        const std::string key(rest.substr(0, dot));
        Poco::JSON::Object::Ptr next = object->getObject(key);
        if (!next) {
            next = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            object->set(key, next);
        }
        object = next;
        rest.remove_prefix(dot + 1);
    }
    object->set(std::string(rest), value);
}

// What a step's final case says about why it did not complete.
std::string case_reason(const Case& c) {
    if (c.outcome && !c.outcome->message_en.empty()) return c.outcome->message_en;
    return c.history.empty() ? "" : c.history.back().note;
}

}  // namespace

SituationSummary summarise(const SituationDefinition& d, const std::vector<StepRecord>& steps, bool cancelled,
                           const std::map<std::string, Outcome>& outcomes) {
    SituationSummary s;
    std::string missed_uk, missed_en, failed_step;
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    bool any_rejected = false, any_failed = false;
    for (const auto& step : steps) {
        Poco::JSON::Object::Ptr item = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        item->set("id", step.step_id);
        item->set("service", step.service);
        item->set("status", step.status);
        if (!step.case_id.empty()) item->set("case_id", step.case_id);
        if (const auto o = outcomes.find(step.step_id); o != outcomes.end() && !o->second.registry_reference.empty()) {
            item->set("registry_reference", o->second.registry_reference);
        }
        if (!step.reason.empty()) item->set("reason", step.reason);
        list->add(item);
        if (succeeded(step.status) || step.status == "not_applicable") continue;
        const std::string why = step.step_id + " (" + step.reason + ")";
        missed_uk += (missed_uk.empty() ? "" : "; ") + why;
        missed_en += (missed_en.empty() ? "" : "; ") + why;
        // A required step that did not run (an optional step it needed failed) fails the situation
        // too: a partial completion means every required step completed.
        if (!step.optional && step.status != "cancelled") {
            any_rejected |= step.status == "rejected";
            any_failed |= step.status == "failed" || step.status == "skipped";
            if (failed_step.empty()) failed_step = step.step_id;
        }
    }
    Poco::JSON::Object document(Poco::JSON_PRESERVE_KEY_ORDER);
    document.set("steps", list);
    s.outcome.document_json = to_json_text(document);
    if (cancelled) {
        s.status = CaseStatus::Cancelled;
        s.note = "cancelled";
        s.outcome.message_uk = "Життєву ситуацію «" + d.title_uk + "» скасовано; не виконано: " + missed_uk;
        s.outcome.message_en = "The life situation '" + d.title_en + "' was cancelled; not done: " + missed_en;
    } else if (any_rejected || any_failed) {
        // The registry's refusal is the situation's answer; a failure without one is a failure.
        s.status = any_rejected ? CaseStatus::Rejected : CaseStatus::Failed;
        s.note = "required step " + failed_step + " did not complete";
        s.outcome.message_uk = "Життєву ситуацію «" + d.title_uk + "» не виконано: " + missed_uk;
        s.outcome.message_en = "The life situation '" + d.title_en + "' was not carried out: " + missed_en;
    } else if (!missed_en.empty()) {
        s.status = CaseStatus::PartlyCompleted;
        s.note = "optional steps did not complete: " + missed_en;
        s.outcome.message_uk = "Виконано частково («" + d.title_uk + "»); не виконано: " + missed_uk;
        s.outcome.message_en = "Partly completed ('" + d.title_en + "'); not done: " + missed_en;
    } else {
        s.note = "every step completed";
        s.outcome.message_uk = "Усі послуги життєвої ситуації «" + d.title_uk + "» надано";
        s.outcome.message_en = "Every service of the life situation '" + d.title_en + "' was provided";
    }
    return s;
}

Poco::JSON::Object::Ptr step_subject(const StepDefinition& step, const Case& application,
                                     const std::map<std::string, Outcome>& outcomes, std::string& missing) {
    Poco::JSON::Object::Ptr subject = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [target, source] : step.subject) {
        const auto value = resolve(source, application, outcomes);
        if (!value) {
            if (source.kind == ValueSource::Kind::Application || source.kind == ValueSource::Kind::Applicant) {
                continue;  // an optional application field left out: the step's plugin decides
            }
            missing = target;
            return nullptr;
        }
        set_path(subject, target, *value);
    }
    return subject;
}

SituationRunner::SituationRunner(CaseStore& store, const Situations& situations, audit::AuditLog& audit,
                                 SpaceWatch& space, std::function<void()> wake)
    : store_(store), situations_(situations), audit_(audit), space_(space), wake_dispatcher_(std::move(wake)) {}

SituationRunner::~SituationRunner() { stop(); }

void SituationRunner::start() {
    if (situations_.all().empty()) return;
    worker_ = std::thread([this] { run(); });
}

void SituationRunner::stop() {
    stopping_ = true;
    wake_.notify_all();
    if (worker_.joinable()) worker_.join();
}

void SituationRunner::run() {
    while (!stopping_) {
        try {
            // Out of space: a pass would only fail; it is made once there is room.
            if (space_.writable()) {
                for (const auto& id : store_.active_situations()) advance(id);
            }
        } catch (const StorageFull& e) {
            space_.report_full(e.what());  // a step's transaction had no effect: the next pass makes it
        } catch (const std::exception& e) {
            log_error_throttled(log_throttle_, "pass", std::string("situations: ") + e.what());
        }
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, kPoll, [this] { return stopping_.load(); });
    }
}

void SituationRunner::advance(const std::string& situation_id) {
    // Two cheap reads decide whether anything changed since the last pass; only then is the
    // situation read and its steps' outcomes fetched (each pass looks at every active situation).
    const bool cancelling = store_.cancel_requested(situation_id);
    std::vector<StepRecord> steps = store_.steps(situation_id);
    std::string fingerprint = cancelling ? "c" : "";
    for (const auto& step : steps) fingerprint += step.status + ':' + step.case_status + ';';
    if (auto it = last_seen_.find(situation_id); it != last_seen_.end() && it->second == fingerprint) return;
    const auto situation = store_.find(situation_id);
    if (!situation) return;
    const SituationDefinition* d = situations_.find(situation->service);
    if (d == nullptr) {
        spdlog::error("situation {}: no definition for {} is loaded; it waits until one is", situation_id,
                      situation->service);
        return;
    }
    std::map<std::string, Outcome> outcomes;
    // Steps whose case has ended take its status; a cancelled situation withdraws cases not yet sent.
    for (auto& step : steps) {
        if (step.status == "running") {
            const auto status = parse_case_status(step.case_status);
            if (status && is_final(*status)) {
                const auto step_case = store_.find(step.case_id);
                step.status = std::string(to_string(*status));
                step.reason = step_case ? case_reason(*step_case) : "";
                store_.end_step(situation_id, step.step_id, step.status, step.reason);
            } else if (cancelling && store_.cancel_queued(step.case_id, "its life situation was cancelled")) {
                step.status = "cancelled";
                step.reason = "cancelled before it was sent";
                store_.end_step(situation_id, step.step_id, step.status, step.reason);
            }
        }
        if (succeeded(step.status)) {
            if (const auto step_case = store_.find(step.case_id); step_case && step_case->outcome) {
                outcomes[step.step_id] = *step_case->outcome;
            }
        }
    }
    auto status_of = [&](const std::string& id) -> StepRecord& {
        for (auto& step : steps) {
            if (step.step_id == id) return step;
        }
        throw std::logic_error("no step " + id);
    };
    auto end = [&](StepRecord& step, const std::string& status, const std::string& reason) {
        step.status = status;
        step.reason = reason;
        store_.end_step(situation_id, step.step_id, status, reason);
    };
    // Pending steps, repeatedly: ending one may settle those after it.
    for (bool moved = true; moved;) {
        moved = false;
        for (const auto& definition : d->steps) {
            StepRecord& step = status_of(definition.id);
            if (step.status != "pending") continue;
            if (cancelling) {
                end(step, "cancelled", "the life situation was cancelled before this step started");
                moved = true;
                continue;
            }
            std::string blocked, waiting;
            for (const auto& need : definition.needs) {
                const std::string& need_status = status_of(need).status;
                if (!ended(need_status))
                    waiting = need;
                else if (!succeeded(need_status) && blocked.empty())
                    blocked = need;
            }
            if (!blocked.empty()) {
                end(step, "skipped", "needs step " + blocked + ", which did not complete");
                moved = true;
                continue;
            }
            if (!waiting.empty()) continue;
            if (!definition.when_field.empty()) {
                const auto value = resolve({ValueSource::Kind::Application, "", definition.when_field}, *situation, {});
                double number = 0;
                const bool known = value && (value->isNumeric() || value->isString()) && [&] {
                    try {
                        number = value->convert<double>();
                        return true;
                    } catch (const Poco::Exception&) {
                        return false;
                    }
                }();
                if (!known || number < definition.when_at_least) {
                    end(step, "not_applicable",
                        definition.when_field + " is below " +
                            std::to_string(static_cast<long>(definition.when_at_least)));
                    moved = true;
                    continue;
                }
            }
            std::string missing;
            const auto subject = step_subject(definition, *situation, outcomes, missing);
            if (!subject) {
                end(step, "failed", "no value for subject." + missing + " from the earlier steps' outcomes");
                moved = true;
                continue;
            }
            Case step_case;
            step_case.id = new_case_id();
            step_case.service = definition.service;
            step_case.office = situation->office;
            step_case.applicant = situation->applicant;
            step_case.subject = subject;
            step_case.callback_url = situation->callback_url;
            step_case.idempotency_key = "situation:" + situation_id + ":" + definition.id;
            store_.start_step(situation_id, definition.id, step_case, new_uuid());
            // The step has started: its audit entry must follow, however long the disk is full.
            space_.retry_until_written(
                [&] {
                    audit_.append({audit::case_event(
                        step_case, "received",
                        "step " + definition.id + " of " + situation->service + " " + situation_id)});
                },
                [this] { return stopping_.load(); });
            spdlog::info("situation {}: step {} started as case {} ({})", situation_id, definition.id, step_case.id,
                         definition.service);
            step.status = "running";
            step.case_id = step_case.id;
            wake_dispatcher_();
            moved = true;
        }
    }
    const bool done = std::all_of(steps.begin(), steps.end(), [](const StepRecord& s) { return ended(s.status); });
    if (!done) {
        last_seen_[situation_id] = fingerprint;  // only after a pass that went through: a failed one is retried
        if (situation->status == CaseStatus::Queued) {
            store_.update_situation(situation_id, CaseStatus::Sending, std::nullopt, "steps are running");
        }
        return;
    }
    const SituationSummary summary = summarise(*d, steps, cancelling, outcomes);
    Case final_case = *situation;
    final_case.status = summary.status;
    // Once the final entry is written the status must follow, or the next pass would write it twice.
    const auto stopping = [this] { return stopping_.load(); };
    if (!space_.retry_until_written(
            [&] {
                audit_.append({audit::case_event(final_case, std::string(to_string(summary.status)), summary.note)});
            },
            stopping) ||
        !space_.retry_until_written(
            [&] { store_.update_situation(situation_id, summary.status, summary.outcome, summary.note); }, stopping)) {
        return;
    }
    last_seen_.erase(situation_id);
    spdlog::info("situation {}: {} ({})", situation_id, to_string(summary.status), summary.note);
}

}  // namespace vikno::gateway
