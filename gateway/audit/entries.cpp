#include "audit/entries.h"

#include "common/clock.h"

#include <vikno/signing.h>

namespace vikno::gateway::audit {
namespace {

Poco::JSON::Object::Ptr base(const char* kind, const Case& c) {
    Poco::JSON::Object::Ptr entry = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    entry->set("kind", kind);
    entry->set("at", rfc3339(now_ms()));
    entry->set("case_id", c.id);
    entry->set("office", c.office.id);
    entry->set("operator", c.office.operator_id);
    entry->set("service", c.service);
    return entry;
}

}  // namespace

Poco::JSON::Object::Ptr exchange_entry(const Case& c, const ExchangeRecord& record, const ExchangeFacts& facts) {
    auto entry = base("exchange", c);
    entry->set("registry", record.registry);
    entry->set("plugin_version", facts.plugin_version);
    entry->set("endpoint", record.endpoint);
    entry->set("attempt", record.attempt);
    entry->set("started", rfc3339(record.started_ms));
    entry->set("duration_ms", record.duration_ms);
    entry->set("http_status", record.http_status);
    entry->set("transport_error", record.error);
    entry->set("verification", facts.verification);
    entry->set("outcome", facts.outcome);
    entry->set("request", crypto::base64(record.request_bytes));
    entry->set("response", crypto::base64(record.response_bytes));
    return entry;
}

Poco::JSON::Object::Ptr case_event(const Case& c, const std::string& status, const std::string& note) {
    auto entry = base("case", c);
    entry->set("status", status);
    entry->set("note", note);
    return entry;
}

Poco::JSON::Object::Ptr full_view_entry(const std::string& viewer, std::uint64_t seq,
                                        const Poco::JSON::Object::Ptr& shown) {
    Poco::JSON::Object::Ptr entry = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    entry->set("kind", "console_full_view");
    entry->set("at", rfc3339(now_ms()));
    // The case's own fields, so the view is listed with the case and goes into its evidence bundle.
    for (const char* key : {"case_id", "office", "operator", "service"}) {
        entry->set(key, shown->has(key) ? shown->get(key).toString() : std::string());
    }
    entry->set("viewer", viewer);
    entry->set("entry", seq);
    return entry;
}

}  // namespace vikno::gateway::audit
