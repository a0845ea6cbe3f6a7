#include "api/endpoints.h"

#include <vikno/case_json.h>
#include "common/clock.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

namespace vikno::gateway::endpoints {

void list_services(ApiContext& context, const OfficeConfig& office, Request& /*request*/, Response& response) {
    using Poco::JSON::Array;
    using Poco::JSON::Object;
    Array::Ptr services = new Array;
    for (const auto& loaded : context.plugins.plugins()) {
        for (const auto& service : loaded.descriptor.services) {
            if (!office.may_request(service.code)) continue;
            Object::Ptr item = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
            item->set("code", service.code);
            item->set("title_uk", service.title_uk);
            item->set("title_en", service.title_en);
            item->set("registry", loaded.descriptor.name);
            item->set("registry_uk", loaded.descriptor.registry_uk);
            item->set("registry_en", loaded.descriptor.registry_en);
            item->set("plugin_version", loaded.descriptor.version);
            Array::Ptr fields = new Array;
            for (const auto& field : service.required_fields) fields->add(field);
            item->set("required_fields", fields);
            services->add(item);
        }
    }
    // Life situations are offered like services: one application, several registries.
    for (const auto& situation : context.situations.all()) {
        if (!office.may_request(situation.code)) continue;
        Object::Ptr item = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        item->set("code", situation.code);
        item->set("title_uk", situation.title_uk);
        item->set("title_en", situation.title_en);
        item->set("registry", "situation");
        Array::Ptr fields = new Array;
        for (const auto& field : situation.required_fields) fields->add("subject." + field);
        item->set("required_fields", fields);
        Array::Ptr steps = new Array;
        for (const auto& step : situation.steps) {
            Object::Ptr s = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
            s->set("id", step.id);
            s->set("service", step.service);
            s->set("optional", step.optional);
            Array::Ptr needs = new Array;
            for (const auto& need : step.needs) needs->add(need);
            s->set("after", needs);
            steps->add(s);
        }
        item->set("steps", steps);
        services->add(item);
    }
    Object json;
    json.set("services", services);
    send_json(response, 200, to_json_text(json));
}

void health(ApiContext& context, Request& /*request*/, Response& response) {
    context.store.next_due_ms();  // throws (500) when the store cannot be read
    // Out of space the gateway takes no new cases: a load balancer should send them elsewhere.
    if (const auto space = context.space.state(); space.full || space.low) {
        Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
        json.set("status", "storage-full");
        json.set("detail", space.full ? "a write was refused for lack of space; dispatch is paused until there is room"
                                      : "free space is below store.min_free_bytes; new cases are refused");
        json.set("free_bytes", space.free_bytes);
        json.set("since", rfc3339(space.since_ms));
        response.set("Retry-After", "30");
        send_json(response, 503, to_json_text(json));
        return;
    }
    send_json(response, 200, R"({"status":"ok"})");
}

// The breaker of `registry` (closed when it has never failed).
Breakers::Status breaker_of(const ApiContext& context, const std::string& registry) {
    for (const auto& status : context.dispatcher.breakers().statuses()) {
        if (status.registry == registry) return status;
    }
    Breakers::Status closed;
    closed.registry = registry;
    return closed;
}

void list_registries(ApiContext& context, Request& /*request*/, Response& response) {
    using Poco::JSON::Array;
    using Poco::JSON::Object;
    Array::Ptr registries = new Array;
    for (const auto& loaded : context.plugins.plugins()) {
        const auto breaker = breaker_of(context, loaded.descriptor.name);
        Object::Ptr item = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        item->set("name", loaded.descriptor.name);
        item->set("registry_uk", loaded.descriptor.registry_uk);
        item->set("registry_en", loaded.descriptor.registry_en);
        item->set("plugin_version", loaded.descriptor.version);
        item->set("state", Breakers::name(breaker.state));
        item->set("consecutive_failures", breaker.consecutive_failures);
        if (breaker.state != Breakers::State::Closed) item->set("retry_at", rfc3339(breaker.retry_at_ms));
        item->set("times_opened", breaker.opened_total);
        item->set("in_flight", context.dispatcher.slots().in_flight(loaded.descriptor.name));
        item->set("max_in_flight", context.dispatcher.slots().limit(loaded.descriptor.name));
        registries->add(item);
    }
    Object json;
    json.set("registries", registries);
    send_json(response, 200, to_json_text(json));
}

void metrics(ApiContext& context, Request& /*request*/, Response& response) {
    std::string text = context.metrics.render(context.store.count_by_status());
    text +=
        "# HELP vikno_registry_breaker_state Circuit breaker per registry: 0 closed, 1 open, 2 half-open\n"
        "# TYPE vikno_registry_breaker_state gauge\n";
    for (const auto& loaded : context.plugins.plugins()) {
        const auto state = breaker_of(context, loaded.descriptor.name).state;
        text += "vikno_registry_breaker_state{registry=\"" + loaded.descriptor.name + "\"} " +
                std::to_string(state == Breakers::State::Closed ? 0
                               : state == Breakers::State::Open ? 1
                                                                : 2) +
                "\n";
    }
    text +=
        "# HELP vikno_registry_in_flight Exchanges in flight per registry (at most its max_in_flight)\n"
        "# TYPE vikno_registry_in_flight gauge\n";
    for (const auto& loaded : context.plugins.plugins()) {
        text += "vikno_registry_in_flight{registry=\"" + loaded.descriptor.name + "\"} " +
                std::to_string(context.dispatcher.slots().in_flight(loaded.descriptor.name)) + "\n";
    }
    const auto space = context.space.state();
    text +=
        "# HELP vikno_storage_full 1 while the gateway refuses new cases for lack of disk space\n"
        "# TYPE vikno_storage_full gauge\nvikno_storage_full " +
        std::to_string(space.full || space.low ? 1 : 0) +
        "\n# HELP vikno_storage_free_bytes Free bytes on the emptiest of the store's and audit log's file "
        "systems\n# TYPE vikno_storage_free_bytes gauge\nvikno_storage_free_bytes " +
        std::to_string(space.free_bytes) +
        "\n# HELP vikno_storage_full_episodes_total Times a write was refused for lack of space\n"
        "# TYPE vikno_storage_full_episodes_total counter\nvikno_storage_full_episodes_total " +
        std::to_string(space.episodes) + "\n";
    text +=
        "# HELP vikno_callback_events_pending Case events not yet delivered to CNAP back-ends\n"
        "# TYPE vikno_callback_events_pending gauge\nvikno_callback_events_pending " +
        std::to_string(context.store.events_pending()) + "\n";
    response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
    response.setContentType("text/plain; version=0.0.4");
    response.setContentLength(static_cast<std::streamsize>(text.size()));
    response.send() << text;
}

}  // namespace vikno::gateway::endpoints
