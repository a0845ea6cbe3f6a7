// The civil registry plugin's entry point: its parts behind the SDK's X-Road plugin.

#include "interpreter.h"
#include "translator.h"

#include <vikno/service_table.h>
#include <vikno/xroad_plugin.h>

namespace vikno::civil_registry {
namespace {

PluginParts parts() {
    PluginParts p;
    p.name = kPluginName;
    p.version = kPluginVersion;
    p.registry_uk = "Державний реєстр актів цивільного стану громадян (ДРАЦС)";
    p.registry_en = "State Register of Civil Status Acts";
    p.profile = SignatureProfile::XmlDsigXRoad;
    p.defaults = default_settings();
    p.services = describe_services(services());
    p.validate = validate_case;
    p.translate = translate_case;
    p.interpret = interpret_answer;
    return p;
}

}  // namespace

class CivilRegistryPlugin final : public XRoadPlugin {
public:
    CivilRegistryPlugin() : XRoadPlugin(parts()) {}
};

}  // namespace vikno::civil_registry

VIKNO_PLUGIN(vikno::civil_registry::CivilRegistryPlugin)
