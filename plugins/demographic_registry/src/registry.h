#pragma once
// The Unified State Demographic Register (ЄДДР) as the plugin, its simulator and its tests read it:
// its X-Road address and service, and the plugin's three functions.

#include <vikno/xroad_plugin.h>

namespace vikno::demographic_registry {

inline constexpr const char* kNamespace = "urn:vikno:registry:eddr:1";

/// ЄДДР: the State Migration Service of Ukraine (EDRPOU 37508470), subsystem EDDR.
const SoapRegistry& registry();

FieldErrors validate_case(const CaseView& c);
/// The request body element; called for a case validate_case passed (XRoadPlugin sees to it).
std::string request_body(const SoapService& service, const CaseView& c);
/// What the register's answer means for the case.
Interpretation interpret_answer(const CaseView& c, const Exchange& sent, const RegistryAnswer& answer);

}  // namespace vikno::demographic_registry
