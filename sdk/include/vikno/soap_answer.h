#pragma once
// The part of reading a SOAP registry's answer that is the same for every registry: faults, HTTP
// status, well-formedness, the X-Road header echoing our message id, and one body element of the
// expected name. What remains for the plugin is the content of that element.

#include <vikno/exchange.h>
#include <vikno/plugin.h>
#include <vikno/xml.h>

#include <optional>
#include <string>

namespace vikno::soap {

struct OpenedAnswer {
    std::optional<xml::Document> document;  ///< set when the plugin should read the body
    xmlNodePtr body = nullptr;              ///< the expected response element
    std::optional<Interpretation> decided;  ///< set when the answer already decides the case
};

/// Server fault: Retry ("registry unavailable"); Client fault: Failed with the registry's reason;
/// not well-formed: Retry (as "unavailable" for HTTP 5xx); a foreign xrd:id or another body
/// element: Retry ("malformed answer"). Otherwise the document with `prefix` bound to `ns`. The
/// HTTP status, which no signature covers, never overrides the signed envelope.
OpenedAnswer open_answer(const RegistryAnswer& answer, const Exchange& sent, const std::string& prefix,
                         const std::string& ns, const std::string& response_element);

/// An Interpretation with its verdict, reason and the messages for the CNAP.
Interpretation decide(Verdict verdict, std::string reason, std::string message_uk, std::string message_en);

}  // namespace vikno::soap
