#pragma once
// The demographic register's services and its X-Road address: the one table the translator, the
// interpreter and the simulator all read.

#include <vikno/plugin.h>
#include <vikno/service_table.h>
#include <vikno/xroad_service.h>

#include <string>
#include <vector>

namespace vikno::demographic_registry {

inline constexpr const char* kNamespace = "urn:vikno:registry:eddr:1";
inline constexpr const char* kPluginName = "demographic_registry";
inline constexpr const char* kPluginVersion = "1.0.0";

using Service = vikno::SoapService;

const std::vector<Service>& services();
const Service* find_service(const std::string& code);
const Service* find_service_by_request(const std::string& request_element);

using Settings = soap::ServiceSettings;
/// ЄДДР's address: the State Migration Service of Ukraine (EDRPOU 37508470), subsystem EDDR.
Settings default_settings();

}  // namespace vikno::demographic_registry
