// The real estate plugin's entry point: its parts behind the SDK's X-Road plugin.

#include "interpreter.h"
#include "translator.h"

#include <vikno/service_table.h>
#include <vikno/xroad_plugin.h>

namespace vikno::real_estate {
namespace {

PluginParts parts() {
    PluginParts p;
    p.name = kPluginName;
    p.version = kPluginVersion;
    p.registry_uk = "Державний реєстр речових прав на нерухоме майно (ДРРП)";
    p.registry_en = "State Register of Real Property Rights";
    p.profile = SignatureProfile::XmlDsigXRoad;
    p.defaults = default_settings();
    p.services = describe_services(services());
    p.validate = validate_case;
    p.translate = translate_case;
    p.interpret = interpret_answer;
    return p;
}

}  // namespace

class RealEstatePlugin final : public XRoadPlugin {
public:
    RealEstatePlugin() : XRoadPlugin(parts()) {}
};

}  // namespace vikno::real_estate

VIKNO_PLUGIN(vikno::real_estate::RealEstatePlugin)
