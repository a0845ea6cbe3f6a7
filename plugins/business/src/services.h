#pragma once
// The Unified State Register (ЄДР) services and its X-Road address.

#include <vikno/plugin.h>
#include <vikno/xroad_service.h>

#include <string>
#include <vector>

namespace vikno::business {

inline constexpr const char* kPluginName = "business";
inline constexpr const char* kPluginVersion = "1.0.0";
inline constexpr const char* kFopNamespace = "urn:vikno:registry:edr:fop:1";

enum class Operation { SubjectExtract, FopRegistration };

struct Service {
    std::string code;
    Operation operation;
    std::string title_uk;
    std::string title_en;
    std::vector<std::string> required_fields;
};

const std::vector<Service>& services();
const Service* find_service(const std::string& code);

using Settings = soap::ServiceSettings;
/// ЄДР's address: the Ministry of Justice of Ukraine (EDRPOU 00015622), subsystem EDR.
Settings default_settings();

}  // namespace vikno::business
