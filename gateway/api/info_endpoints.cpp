#include "api/endpoints.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

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
    Object json;
    json.set("services", services);
    std::ostringstream body;
    json.stringify(body);
    send_json(response, 200, body.str());
}

void health(ApiContext& context, Request& /*request*/, Response& response) {
    context.store.next_due_ms();  // throws (500) when the store cannot be read
    send_json(response, 200, R"({"status":"ok"})");
}

void metrics(ApiContext& context, Request& /*request*/, Response& response) {
    const std::string text = context.metrics.render(context.store.count_by_status());
    response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
    response.setContentType("text/plain; version=0.0.4");
    response.setContentLength(static_cast<std::streamsize>(text.size()));
    response.send() << text;
}

}  // namespace vikno::gateway::endpoints
