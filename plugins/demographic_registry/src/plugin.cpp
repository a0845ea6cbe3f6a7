// The demographic register plugin: SOAP over Trembita, signed with XML-DSig.

#include "interpreter.h"
#include "translator.h"

#include <vikno/service_table.h>
#include <vikno/xroad_plugin.h>

namespace vikno::demographic_registry {

inline PluginParts parts() {
    return {.name = kPluginName,
            .version = kPluginVersion,
            .registry_uk = "Єдиний державний демографічний реєстр (ЄДДР)",
            .registry_en = "Unified State Demographic Register",
            .profile = SignatureProfile::XmlDsigXRoad,
            .defaults = default_settings(),
            .services = describe_services(services()),
            .validate = validate_case,
            .translate = translate_case,
            .interpret = interpret_answer};
}

}  // namespace vikno::demographic_registry

VIKNO_XROAD_PLUGIN(DemographicRegistryPlugin, vikno::demographic_registry::parts())
