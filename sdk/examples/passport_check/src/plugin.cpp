// The plugin's entry point: the parts, and the one line that exports them.

#include "passport_check.h"

#include <vikno/service_table.h>
#include <vikno/xroad_plugin.h>

namespace passport_check {

inline vikno::PluginParts parts() {
    return {.name = kPluginName,
            .version = kPluginVersion,
            .registry_uk = "Державна міграційна служба України: перевірка документів",
            .registry_en = "State Migration Service of Ukraine: document check",
            .profile = vikno::SignatureProfile::XmlDsigXRoad,
            .defaults = default_settings(),
            .services = vikno::describe_services(services()),
            .validate = validate_case,
            .translate = translate_case,
            .interpret = interpret_answer};
}

}  // namespace passport_check

VIKNO_XROAD_PLUGIN(PassportCheckPlugin, passport_check::parts())
