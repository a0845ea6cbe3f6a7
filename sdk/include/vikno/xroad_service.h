#pragma once
// The X-Road address of a SOAP registry from a plugin's settings, and the request header for one
// exchange: what every Trembita plugin needs and would otherwise write again.

#include <vikno/plugin.h>
#include <vikno/soap.h>

#include <string>

namespace vikno::soap {

struct ServiceSettings {
    std::string instance = "SEVDEIR-TEST";
    std::string member_class = "GOV";
    std::string member_code;  ///< the registry holder's EDRPOU
    std::string subsystem;
    std::string service_version = "v1";
};

/// Reads the settings `xroad_instance`, `member_class`, `member_code`, `subsystem`,
/// `service_version` over `defaults`. Unknown keys (typos) and an invalid EDRPOU are refused.
Result<ServiceSettings> parse_service_settings(const PluginSettings& values, ServiceSettings defaults);

/// The header for calling `service_code` at `settings` in the exchange `context`.
XRoadHeader request_header(const ServiceSettings& settings, const ExchangeContext& context,
                           const std::string& service_code);

/// A SOAP POST Exchange carrying `envelope`.
Exchange soap_exchange(const std::string& service_code, std::string envelope, const std::string& message_id);

/// The whole request for calling `service_code` at `settings`: `body_xml` (the plugin's request body
/// element) in the envelope with the X-Road header, under the context's message id.
Exchange soap_request(const ServiceSettings& settings, const ExchangeContext& context, const std::string& service_code,
                      std::string_view body_xml);

}  // namespace vikno::soap
