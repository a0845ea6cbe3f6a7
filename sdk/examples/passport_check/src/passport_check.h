#pragma once
// The State Migration Service's document check (ДМС): is this passport or ID card valid, and does
// it belong to this person? SOAP with the X-Road 4.0 header, signed with XML-DSig.

#include <vikno/plugin.h>
#include <vikno/service_table.h>
#include <vikno/xroad_service.h>

#include <string>
#include <vector>

namespace passport_check {

inline constexpr const char* kNamespace = "urn:vikno:example:dms:document-check:1";
inline constexpr const char* kPluginName = "passport_check";
inline constexpr const char* kPluginVersion = "1.0.0";

using Service = vikno::SoapService;

const std::vector<Service>& services();
const Service* find_service(const std::string& code);

/// The registry's X-Road address: the State Migration Service (EDRPOU 37508470).
vikno::soap::ServiceSettings default_settings();

vikno::FieldErrors validate_case(const vikno::Case& c);
vikno::Result<vikno::Exchange> translate_case(const vikno::Case& c, const vikno::ExchangeContext& context,
                                              const vikno::soap::ServiceSettings& settings);
vikno::Interpretation interpret_answer(const vikno::Case& c, const vikno::Exchange& sent,
                                       const vikno::RegistryAnswer& answer);

}  // namespace passport_check
