#include "api/endpoints.h"
#include "api/problem.h"
#include "api/request_body.h"
#include "audit/entries.h"
#include "common/ids.h"

#include <vikno/case_json.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/StreamCopier.h>

#include <Poco/URI.h>

#include <spdlog/spdlog.h>

#include <istream>

namespace vikno::gateway::endpoints {
namespace {

constexpr std::size_t kMaxIdempotencyKey = 255;

bool valid_key(const std::string& key) {
    if (key.empty() || key.size() > kMaxIdempotencyKey) return false;
    for (const char ch : key) {
        if (ch < 0x21 || ch > 0x7e) return false;
    }
    return true;
}

std::string id_and_status(const std::string& case_id, const std::string& status) {
    Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
    json.set("id", case_id);
    json.set("status", status);
    return to_json_text(json);
}

void accepted(Response& response, const std::string& case_id, const std::string& status, bool replayed) {
    Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
    json.set("id", case_id);
    json.set("status", status);
    json.set("location", "/v1/cases/" + case_id);
    response.set("Location", "/v1/cases/" + case_id);
    if (replayed) response.set("Idempotent-Replayed", "true");
    send_json(response, 202, to_json_text(json));
}

}  // namespace

void send_json(Response& response, int status, const std::string& body) {
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send() << body;
}

void submit_case(ApiContext& context, const OfficeConfig& office, Request& request, Response& response) {
    const std::string instance = request.getURI();
    const std::string content_type = request.getContentType();
    if (content_type.rfind("application/json", 0) != 0) {
        send_problem(response,
                     {415,
                      "unsupported-media-type",
                      "Unsupported media type",
                      "send the case as Content-Type: application/json",
                      {}},
                     instance);
        return;
    }
    // Overload: refuse quickly, before reading the body, rather than let the queue grow without bound.
    if (const auto backlog = context.store.backlog(); backlog >= context.config.server.max_backlog) {
        response.set("Retry-After", "30");
        send_problem(response,
                     {503,
                      "overloaded",
                      "The gateway is overloaded",
                      std::to_string(backlog) + " cases are waiting to be sent; submit again after the "
                                                "Retry-After seconds (the same Idempotency-Key is safe to reuse)",
                      {}},
                     instance);
        return;
    }
    // Out of space: refuse before reading, so the cases already accepted keep the room to finish.
    if (!context.space.accepting()) {
        send_storage_full(response, instance);
        return;
    }
    const std::string key = request.get("Idempotency-Key", "");
    if (!valid_key(key)) {
        send_problem(
            response,
            {400,
             "idempotency-key",
             "Idempotency-Key header required",
             "every submission carries an Idempotency-Key header (1-255 visible ASCII "
             "characters), so that a retried request cannot create a second case",
             {{"header:Idempotency-Key", key.empty() ? "is required" : "is not 1-255 visible ASCII characters"}}},
            instance);
        return;
    }
    auto body = read_body(request, context.config.server.max_body_bytes);
    if (!body) {
        send_problem(response,
                     {413,
                      "too-large",
                      "Case too large",
                      "the body is over " + std::to_string(context.config.server.max_body_bytes) + " bytes",
                      {}},
                     instance);
        return;
    }
    auto parsed = parse_submitted_case(*body);
    if (!parsed) {
        send_problem(response, {422, "validation", "The case is not valid", "", parsed.error()}, instance);
        return;
    }
    Case c = std::move(parsed).value();
    if (c.office.id != office.id) {
        send_problem(response,
                     {403,
                      "office-mismatch",
                      "The case names another office",
                      "the client certificate is office " + office.id + "'s; an office submits only its own cases",
                      {{"office.id", "must be '" + office.id + "', the office of the client certificate"}}},
                     instance);
        return;
    }
    if (!office.may_request(c.service)) {
        send_problem(response,
                     {403,
                      "service-not-allowed",
                      "Service not allowed for this office",
                      "office " + office.id + " may not request '" + c.service +
                          "'; the gateway's configuration lists the services of each office",
                      {{"service", "is not among the services office " + office.id + " may request"}}},
                     instance);
        return;
    }
    const SituationDefinition* situation = context.situations.find(c.service);
    const LoadedPlugin* plugin = situation != nullptr ? nullptr : context.plugins.for_service(c.service);
    if (situation != nullptr) {
        FieldErrors missing;
        for (const auto& field : situation->required_fields) {
            if (!json_at(c.subject, field)) {
                missing.push_back({"subject." + field, "is required by " + situation->code});
            }
        }
        if (!missing.empty()) {
            send_problem(response, {422, "validation", "The case is not valid", "", missing}, instance);
            return;
        }
    } else if (plugin == nullptr) {
        send_problem(response,
                     {422,
                      "validation",
                      "The case is not valid",
                      "",
                      {{"service", "'" + c.service + "' is not offered here; GET /v1/services lists them"}}},
                     instance);
        return;
    }
    if (auto errors = plugin != nullptr ? plugin->plugin->validate(c) : FieldErrors{}; !errors.empty()) {
        send_problem(response, {422, "validation", "The case is not valid", "", errors}, instance);
        return;
    }
    if (!c.callback_url.empty()) {
        // A case may send its events elsewhere than its office's URL, but only to a host the
        // office lists: the events carry the case's outcome.
        std::string host;
        try {
            const Poco::URI uri(c.callback_url);
            if (uri.getScheme() == "https") host = uri.getHost();
        } catch (const Poco::SyntaxException&) {
            host.clear();
        }
        if (host.empty() || !office.may_call_back(host)) {
            send_problem(response,
                         {422,
                          "validation",
                          "The case is not valid",
                          "",
                          {{"callback_url", host.empty() ? "must be an https:// URL"
                                                         : "host '" + host + "' is not among office " + office.id +
                                                               "'s callback_hosts"}}},
                         instance);
            return;
        }
    } else {
        c.callback_url = office.callback_url;
    }
    c.id = new_case_id();
    c.idempotency_key = key;
    SubmitResult result;
    WorkerPromise worker;
    // The case's story in the audit log starts before the CNAP hears "accepted": with a log in the
    // store's database, in the case's own commit (a submission retried after a lost answer finds it
    // there); with a log of its own, appended once the case is stored.
    const auto received = audit::case_event(c, "received", "accepted for " + c.service);
    const auto received_rows = context.audit.rows_for_store({received}, 1);
    if (situation != nullptr) {
        std::vector<StepRecord> steps;
        for (std::size_t i = 0; i < situation->steps.size(); ++i) {
            const auto& step = situation->steps[i];
            steps.push_back({step.id, step.service, step.optional, static_cast<int>(i), "pending", "", "", ""});
        }
        result = context.store.submit_situation(c, steps, received_rows ? &*received_rows : nullptr);
    } else {
        // A worker that waits for work takes this case straight from its submission, claimed in
        // the same commit, instead of claiming it from the outbox in a transaction of its own.
        worker = context.dispatcher.promise_worker(c.service, c.id);
        result =
            context.store.submit(c, new_uuid(), received_rows ? &*received_rows : nullptr, static_cast<bool>(worker));
    }
    switch (result.outcome) {
        case SubmitOutcome::Created:
            try {
                if (received_rows) {
                    context.audit.queued_by_store();
                } else {
                    context.audit.append({received});
                }
            } catch (...) {
                // Stored and claimed whatever the log said: only a worker can send it now.
                if (result.claimed) context.dispatcher.hand(std::move(worker), std::move(*result.claimed));
                throw;
            }
            spdlog::info("case {}: accepted for {} from office {}", c.id, c.service, c.office.id);
            if (result.claimed) {  // after the `received` entry: the worker's entries follow it
                context.dispatcher.hand(std::move(worker), std::move(*result.claimed));
                accepted(response, c.id, std::string(to_string(CaseStatus::Sending)), false);
                return;
            }
            context.dispatcher.notify(c.service);
            accepted(response, c.id, "queued", false);
            return;
        case SubmitOutcome::Replayed: {
            const auto earlier = context.store.find(result.case_id);
            accepted(response, result.case_id, earlier ? std::string(to_string(earlier->status)) : "queued", true);
            return;
        }
        case SubmitOutcome::Conflict:
            send_problem(response,
                         {409,
                          "idempotency-conflict",
                          "Idempotency key already used",
                          "office " + c.office.id +
                              " already submitted another case with this "
                              "Idempotency-Key (case " +
                              result.case_id + "); use a new key for a new case",
                          {{"header:Idempotency-Key", "was used for a different case"}}},
                         instance);
            return;
    }
}

void get_case(ApiContext& context, const OfficeConfig& office, const std::string& case_id, Request& request,
              Response& response) {
    const auto c = context.store.find(case_id);
    // Another office's case is answered like a missing one: its existence is not disclosed.
    if (!c || c->office.id != office.id) {
        send_problem(response, {404, "not-found", "No such case", "there is no case " + case_id, {}}, request.getURI());
        return;
    }
    auto json = case_to_json(*c);
    // A life situation shows its steps as they are now: each one's status, its own case and why it
    // ended as it did.
    if (const auto steps = context.store.steps(c->id); !steps.empty()) {
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const auto& step : steps) {
            Poco::JSON::Object::Ptr item = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            item->set("id", step.step_id);
            item->set("service", step.service);
            item->set("optional", step.optional);
            item->set("status", step.status == "running" && !step.case_status.empty() ? step.case_status : step.status);
            if (!step.case_id.empty()) item->set("case_id", step.case_id);
            if (!step.reason.empty()) item->set("reason", step.reason);
            list->add(item);
        }
        json->set("steps", list);
    }
    send_json(response, 200, to_json_text(json));
}

void cancel_case(ApiContext& context, const OfficeConfig& office, const std::string& case_id, Request& request,
                 Response& response) {
    const auto c = context.store.find(case_id);
    if (!c || c->office.id != office.id) {
        send_problem(response, {404, "not-found", "No such case", "there is no case " + case_id, {}}, request.getURI());
        return;
    }
    if (!context.store.steps(case_id).empty()) {
        // A life situation: steps not yet sent are withdrawn, those being sent run to their end.
        if (!context.store.request_cancel(case_id)) {
            send_problem(
                response,
                {409,
                 "already-final",
                 "The case is final",
                 "case " + case_id + " is " + std::string(to_string(c->status)) + "; nothing is left to cancel",
                 {}},
                request.getURI());
            return;
        }
        spdlog::info("case {}: cancel requested by office {}", case_id, office.id);
        send_json(response, 202, id_and_status(case_id, "cancelling"));
        return;
    }
    if (!context.store.cancel_queued(case_id, "cancelled by office " + office.id)) {
        send_problem(response,
                     {409,
                      "not-cancellable",
                      "The case can no longer be cancelled",
                      "case " + case_id + " is " + std::string(to_string(c->status)) +
                          ": it is being sent to the registry or is final",
                      {}},
                     request.getURI());
        return;
    }
    Case cancelled = *c;
    cancelled.status = CaseStatus::Cancelled;
    context.audit.append({audit::case_event(cancelled, "cancelled", "cancelled by office " + office.id)});
    send_json(response, 200, id_and_status(case_id, "cancelled"));
}

}  // namespace vikno::gateway::endpoints
