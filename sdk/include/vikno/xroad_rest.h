#pragma once
// X-Road (Trembita/UXP) REST calls: the path `/r1/{instance}/{class}/{member}/{subsystem}/{service}`
// and the client headers (`X-Road-Client`, `X-Road-Id`, `X-Road-UserId`, `X-Road-Issue`).

#include <vikno/exchange.h>
#include <vikno/xroad_service.h>

#include <string>

namespace vikno::xroad_rest {

/// `/r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/` followed by `service_path` (no leading slash).
std::string path(const soap::ServiceSettings& settings, const std::string& service_path);

/// The client headers for one exchange.
Headers client_headers(const ExchangeContext& context);

/// `INSTANCE/CLASS/MEMBER/SUBSYSTEM` of a client, as in the X-Road-Client header.
std::string client_id(const XRoadClient& client);

/// A JSON REST Exchange with the client headers.
Exchange json_exchange(std::string method, std::string path, std::string body, const ExchangeContext& context);

}  // namespace vikno::xroad_rest
