#pragma once
// Reading a request body with a bound: nothing larger than the limit is ever held in memory.

#include <Poco/Net/HTTPServerRequest.h>

#include <cstddef>
#include <optional>
#include <string>

namespace vikno::gateway {

/// The body, read up to `limit` bytes; nullopt when it is larger (a declared Content-Length over
/// the limit is refused before a byte is read).
std::optional<std::string> read_body(Poco::Net::HTTPServerRequest& request, std::size_t limit);

}  // namespace vikno::gateway
