#include <vikno/sim/xroad_registry.h>
#include <vikno/sim/xroad_rest_registry.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

namespace vikno::sim {

XRoadRestRegistry::XRoadRestRegistry(const Options& options, const soap::ServiceSettings& address)
    : prefix_("/r1/" + option(options, "instance", address.instance) + "/" +
              option(options, "member-class", address.member_class) + "/" +
              option(options, "member-code", address.member_code) + "/" +
              option(options, "subsystem", address.subsystem) + "/") {}

Response XRoadRestRegistry::json(int status, const Poco::Dynamic::Var& value) {
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(value, out);
    return {status, "application/json", {}, out.str()};
}

Response XRoadRestRegistry::error(int status, const std::string& code, const std::string& message,
                                  Annotation& annotation, const std::string& outcome) {
    annotation.outcome = outcome;
    Poco::JSON::Object item;
    item.set("code", code);
    item.set("message", message);
    Poco::JSON::Array::Ptr errors = new Poco::JSON::Array;
    errors->add(item);
    Poco::JSON::Object body;
    body.set("errors", errors);
    return json(status, body);
}

Response XRoadRestRegistry::server_error(const Request& /*request*/) {
    return {503, "application/json", {}, R"({"errors":[{"code":"unavailable","message":"Temporarily unavailable"}]})"};
}

Response XRoadRestRegistry::handle(const Request& request, Annotation& annotation) {
    annotation.message_id = request.header("X-Road-Id");
    if (request.header("X-Road-Client").empty() || annotation.message_id.empty()) {
        return error(400, "xroad_headers", "X-Road-Client and X-Road-Id are required", annotation, "invalid");
    }
    if (request.target.rfind(prefix_, 0) != 0) {
        return error(404, "unknown_service", "this is " + prefix_ + "; the request went to " + request.target,
                     annotation, "invalid");
    }
    const std::string content = sha256_hex(request.method + " " + request.target + "\n" + request.body);
    Response earlier;
    switch (replays_.lookup(annotation.message_id, content, earlier)) {
        case ReplayCache::Seen::Same:
            annotation.replay = true;
            annotation.outcome = "replay";
            return earlier;
        case ReplayCache::Seen::Different:
            return error(409, "message_id_reused",
                         "X-Road-Id " + annotation.message_id + " was used for another request", annotation, "invalid");
        case ReplayCache::Seen::New:
            break;
    }
    Response response = answer(request, request.target.substr(prefix_.size()), annotation);
    if (response.status < 500) replays_.remember(annotation.message_id, content, response);
    return response;
}

}  // namespace vikno::sim
