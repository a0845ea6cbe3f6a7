#include <vikno/xroad_rest.h>

namespace vikno::xroad_rest {

std::string path(const soap::ServiceSettings& s, const std::string& service_path) {
    return "/r1/" + s.instance + "/" + s.member_class + "/" + s.member_code + "/" + s.subsystem + "/" + service_path;
}

std::string client_id(const XRoadClient& c) {
    return c.instance + "/" + c.member_class + "/" + c.member_code + "/" + c.subsystem;
}

Headers client_headers(const ExchangeContext& context) {
    Headers headers{{"X-Road-Client", client_id(context.client)}, {"X-Road-Id", context.message_id}};
    if (!context.user_id.empty()) headers.emplace_back("X-Road-UserId", context.user_id);
    if (!context.issue.empty()) headers.emplace_back("X-Road-Issue", context.issue);
    return headers;
}

Exchange json_exchange(std::string method, std::string path, std::string body, const ExchangeContext& context) {
    Exchange exchange;
    exchange.protocol = Protocol::Rest;
    exchange.method = std::move(method);
    exchange.path = std::move(path);
    if (!body.empty()) exchange.content_type = "application/json";  // a GET carries no body and no type
    exchange.headers = client_headers(context);
    exchange.body = std::move(body);
    exchange.message_id = context.message_id;
    return exchange;
}

}  // namespace vikno::xroad_rest
