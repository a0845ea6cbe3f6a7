// The real estate plugin: SOAP over Trembita, signed with XML-DSig.

#include "interpreter.h"
#include "translator.h"

#include <vikno/service_table.h>
#include <vikno/xroad_plugin.h>

namespace vikno::real_estate {

inline PluginParts parts() {
    return {.name = kPluginName,
            .version = kPluginVersion,
            .registry_uk = "Державний реєстр речових прав на нерухоме майно (ДРРП)",
            .registry_en = "State Register of Real Property Rights",
            .profile = SignatureProfile::XmlDsigXRoad,
            .defaults = default_settings(),
            .services = describe_services(services()),
            .validate = validate_case,
            .translate = translate_case,
            .interpret = interpret_answer};
}

}  // namespace vikno::real_estate

VIKNO_XROAD_PLUGIN(RealEstatePlugin, vikno::real_estate::parts())
