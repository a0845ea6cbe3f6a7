#pragma once
// The civil registry's services and the plugin's settings: the one table the translator, the
// interpreter and the simulator all read.

#include <vikno/plugin.h>
#include <vikno/xroad_service.h>

#include <string>
#include <vector>

namespace vikno::civil_registry {

inline constexpr const char* kNamespace = "urn:vikno:registry:drac:1";
inline constexpr const char* kPluginName = "civil_registry";
inline constexpr const char* kPluginVersion = "1.0.0";

enum class Record { Birth, Marriage, Death };

struct Service {
    std::string code;        ///< Vikno service code
    std::string xroad_code;  ///< X-Road serviceCode
    std::string request;     ///< request body element (local name)
    std::string response;    ///< response body element (local name)
    Record record;
    std::string title_uk;
    std::string title_en;
    std::vector<std::string> required_fields;
};

const std::vector<Service>& services();
const Service* find_service(const std::string& code);
const Service* find_service_by_request(const std::string& request_element);

/// Where the registry sits on X-Road (the `xrd:service` identifier apart from the service code).
using Settings = soap::ServiceSettings;
/// ДРАЦС's address: the Ministry of Justice of Ukraine (EDRPOU 00015622), subsystem DRACS.
Settings default_settings();

}  // namespace vikno::civil_registry
