#pragma once
// The iGov portal's services and its X-Road address.

#include <vikno/plugin.h>
#include <vikno/xroad_service.h>

#include <string>
#include <vector>

namespace vikno::igov {

inline constexpr const char* kPluginName = "igov";
inline constexpr const char* kPluginVersion = "1.0.0";

enum class Operation { CreateOrder, PushStatus };

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
/// The portal's address: the Ministry of Digital Transformation (EDRPOU 43220851), subsystem IGOV.
Settings default_settings();

}  // namespace vikno::igov
