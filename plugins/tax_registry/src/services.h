#pragma once
// The taxpayer register's services and its X-Road address.

#include <vikno/plugin.h>
#include <vikno/xroad_service.h>

#include <string>
#include <vector>

namespace vikno::tax_registry {

inline constexpr const char* kPluginName = "tax_registry";
inline constexpr const char* kPluginVersion = "1.0.0";

enum class Operation { RegisterNewborn, RegisterEntrepreneur };

struct Service {
    std::string code;
    Operation operation;
    std::string path;  ///< after the X-Road prefix, e.g. `1.0/newborns`
    std::string title_uk;
    std::string title_en;
    std::vector<std::string> required_fields;
};

const std::vector<Service>& services();
const Service* find_service(const std::string& code);

using Settings = soap::ServiceSettings;
/// ДРФО's address: the State Tax Service of Ukraine (EDRPOU 43005393), subsystem DRFO.
Settings default_settings();

/// Tax systems a sole trader may choose: `general`, `single-1`, `single-2`, `single-3`.
bool is_tax_system(const std::string& text);
/// A KVED 2010 class code, `NN.NN`.
bool is_kved(const std::string& text);

}  // namespace vikno::tax_registry
