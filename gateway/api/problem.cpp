#include "api/problem.h"

#include <vikno/case_json.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

namespace vikno::gateway {

void send_problem(Poco::Net::HTTPServerResponse& response, const Problem& problem, const std::string& instance) {
    Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
    json.set("type", "urn:vikno:problem:" + problem.type);
    json.set("title", problem.title);
    json.set("status", problem.status);
    if (!problem.detail.empty()) json.set("detail", problem.detail);
    json.set("instance", instance);
    if (!problem.errors.empty()) {
        Poco::JSON::Array::Ptr errors = new Poco::JSON::Array;
        for (const auto& error : problem.errors) {
            Poco::JSON::Object::Ptr item = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            item->set("field", error.field);
            item->set("reason", error.reason);
            errors->add(item);
        }
        json.set("errors", errors);
    }
    const std::string text = to_json_text(json);
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(problem.status));
    // An oversized body is never read to its end: the connection cannot carry another request.
    if (problem.status == 413) response.setKeepAlive(false);
    response.setContentType("application/problem+json");
    response.setContentLength(static_cast<std::streamsize>(text.size()));
    response.send() << text;
}

void send_storage_full(Poco::Net::HTTPServerResponse& response, const std::string& instance) {
    response.set("Retry-After", "30");
    send_problem(response,
                 {503,
                  "storage-full",
                  "The gateway is out of disk space",
                  "nothing of this request was kept; send it again after the Retry-After seconds (the same "
                  "Idempotency-Key is safe to reuse). Cases already accepted are kept and finish once there is room",
                  {}},
                 instance);
}

}  // namespace vikno::gateway
