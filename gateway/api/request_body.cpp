#include "api/request_body.h"

namespace vikno::gateway {

std::optional<std::string> read_body(Poco::Net::HTTPServerRequest& request, std::size_t limit) {
    if (request.hasContentLength() && request.getContentLength64() > static_cast<Poco::Int64>(limit))
        return std::nullopt;
    std::string body;
    std::istream& in = request.stream();
    char buffer[8192];
    while (in) {
        in.read(buffer, sizeof buffer);
        body.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (body.size() > limit) return std::nullopt;
    }
    return body;
}

}  // namespace vikno::gateway
