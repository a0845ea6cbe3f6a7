// The civil registry plugin: SOAP over Trembita, signed with XML-DSig.

#include "interpreter.h"
#include "translator.h"

#include <vikno/service_table.h>
#include <vikno/xroad_plugin.h>

namespace vikno::civil_registry {

inline PluginParts parts() {
    return {.name = kPluginName,
            .version = kPluginVersion,
            .registry_uk = "Державний реєстр актів цивільного стану громадян (ДРАЦС)",
            .registry_en = "State Register of Civil Status Acts",
            .profile = SignatureProfile::XmlDsigXRoad,
            .defaults = default_settings(),
            .services = describe_services(services()),
            .validate = validate_case,
            .translate = translate_case,
            .interpret = interpret_answer};
}

}  // namespace vikno::civil_registry

VIKNO_XROAD_PLUGIN(CivilRegistryPlugin, vikno::civil_registry::parts())
