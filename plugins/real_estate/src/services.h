#pragma once
// The real property rights register's services and its X-Road address: the one table the
// translator, the interpreter and the simulator all read.

#include <vikno/plugin.h>
#include <vikno/xroad_service.h>

#include <string>
#include <vector>

namespace vikno::real_estate {

inline constexpr const char* kNamespace = "urn:vikno:registry:drrp:1";
inline constexpr const char* kPluginName = "real_estate";
inline constexpr const char* kPluginVersion = "1.0.0";
inline constexpr const char* kResponse = "PropertyRightsExtractResponse";

enum class Query { ByCadastralNumber, ByOwner };

struct Service {
    std::string code;        ///< Vikno service code
    std::string xroad_code;  ///< X-Road serviceCode
    std::string request;     ///< request body element (local name)
    Query query;
    std::string title_uk;
    std::string title_en;
    std::vector<std::string> required_fields;
};

const std::vector<Service>& services();
const Service* find_service(const std::string& code);
const Service* find_service_by_request(const std::string& request_element);

using Settings = soap::ServiceSettings;
/// ДРРП's address: the Ministry of Justice of Ukraine (EDRPOU 00015622), subsystem DRRP.
Settings default_settings();

}  // namespace vikno::real_estate
