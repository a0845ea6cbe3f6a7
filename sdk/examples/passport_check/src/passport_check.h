#pragma once
// The State Migration Service's document check (ДМС): is this passport or ID card valid, and does
// it belong to this person? SOAP with the X-Road 4.0 header, signed with XML-DSig.

#include <vikno/xroad_plugin.h>

namespace passport_check {

inline constexpr const char* kNamespace = "urn:vikno:example:dms:document-check:1";
/// The registry, its X-Road address (the State Migration Service, EDRPOU 37508470) and its one
/// service: what the plugin, the simulator and the tests all read.
const vikno::SoapRegistry& registry();

vikno::FieldErrors validate_case(const vikno::CaseView& c);
/// The request body element; called for a case validate_case passed (XRoadPlugin sees to it, and
/// SoapRegistry wraps it in the envelope with the X-Road header).
std::string request_body(const vikno::SoapService& service, const vikno::CaseView& c);
vikno::Interpretation interpret_answer(const vikno::CaseView& c, const vikno::Exchange& sent,
                                       const vikno::RegistryAnswer& answer);

}  // namespace passport_check
