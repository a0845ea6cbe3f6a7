#pragma once
// SOAP 1.1 envelopes with the X-Road message protocol 4.0 header, as Ukraine's Trembita carries them.

#include <vikno/exchange.h>
#include <vikno/result.h>
#include <vikno/xml.h>

#include <optional>
#include <string>
#include <string_view>

namespace vikno::soap {

inline constexpr const char* kEnvelopeNs = "http://schemas.xmlsoap.org/soap/envelope/";
/// The file in the X-Road schemas folder (VIKNO_XROAD_SCHEMA_DIR) with the envelope of a request:
/// a Body of exactly one element that the registry's own schema declares.
inline constexpr const char* kRequestEnvelopeSchema = "soap11-envelope-strict.xsd";
inline constexpr const char* kXRoadNs = "http://x-road.eu/xsd/xroad.xsd";
inline constexpr const char* kIdentifiersNs = "http://x-road.eu/xsd/identifiers";
inline constexpr const char* kProtocolVersion = "4.0";
inline constexpr const char* kContentType = "text/xml; charset=UTF-8";

/// The service being called (the registry's side of the X-Road address).
struct XRoadService {
    std::string instance;
    std::string member_class;
    std::string member_code;
    std::string subsystem;
    std::string service_code;
    std::string service_version;  ///< optional
};

struct XRoadHeader {
    XRoadClient client;
    XRoadService service;
    std::string id;
    std::string user_id;
    std::string issue;
    std::string protocol_version = kProtocolVersion;
};

/// Binds the prefixes `soap`, `xrd` and `id` for XPath on a document (the readers below do it too).
void bind_namespaces(xml::Document& document);

/// A complete envelope: the X-Road header and `body_xml` (one element that declares its namespace).
std::string build_envelope(const XRoadHeader& header, std::string_view body_xml);

/// Reads and checks the X-Road header: client and service identifiers, id, userId, protocolVersion
/// 4.0. The error names the missing or wrong element (code `xroad_header_invalid`).
Result<XRoadHeader> read_header(xml::Document& envelope);

/// The single element inside soap:Body (code `soap_body_invalid` when there is not exactly one).
Result<xmlNodePtr> body_element(xml::Document& envelope);

struct Fault {
    std::string code;    ///< e.g. `soap:Client`, `soap:Server`
    std::string string;  ///< the faultstring
    std::string detail;
};

/// The SOAP Fault in the body, if the body is one.
std::optional<Fault> read_fault(xml::Document& envelope);

/// A fault envelope; the request's X-Road header is echoed when known.
std::string build_fault(const XRoadHeader* request_header, std::string_view code, std::string_view message);

}  // namespace vikno::soap
