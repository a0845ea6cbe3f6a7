#pragma once
// What a plugin hands the gateway to send, and what the gateway hands back. The plugin does no I/O.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vikno {

enum class Protocol { Soap, Rest, Xml };

/// How the gateway signs a registry's requests and verifies its answers. Declared by the plugin
/// (PluginDescriptor::signature), applied by the gateway (see docs/signing.md).
enum class SignatureProfile {
    None,            ///< no message signature (transport security only)
    XmlDsigXRoad,    ///< XML-DSig over the SOAP Body and the X-Road header elements
    HttpMessageSig,  ///< RFC 9421 HTTP Message Signatures with Content-Digest (RFC 9530)
    DetachedJws      ///< RFC 7515 detached JWS over the body, in the X-JWS-Signature header
};

using Headers = std::vector<std::pair<std::string, std::string>>;

/// The first header with this name (case-insensitive), or empty.
std::string find_header(const Headers& headers, std::string_view name);

/// The X-Road identity of the gateway as a service client (who sends).
struct XRoadClient {
    std::string instance;      ///< e.g. `SEVDEIR-TEST`
    std::string member_class;  ///< e.g. `GOV`
    std::string member_code;   ///< the organisation's EDRPOU
    std::string subsystem;     ///< e.g. `VIKNO`
};

/// What the gateway tells the plugin about this particular exchange.
struct ExchangeContext {
    XRoadClient client;
    std::string message_id;  ///< stable for the case: a retry carries the same id (registry deduplication)
    std::string user_id;     ///< who initiated the request: the office operator
    std::string issue;       ///< what caused it: the case id
};

/// A request ready to send. `path` is relative to the registry endpoint from the configuration.
struct Exchange {
    Protocol protocol = Protocol::Soap;
    std::string method = "POST";
    std::string path = "/";
    std::string content_type;
    Headers headers;
    std::string body;
    std::string message_id;
};

/// The registry's answer as received (status, headers, body).
struct RegistryAnswer {
    int status = 0;
    Headers headers;
    std::string body;

    std::string header(std::string_view name) const { return find_header(headers, name); }
};

}  // namespace vikno
