// The plugin's entry point: the parts, and the one line that exports them.

#include "vehicle_check.h"

#include <vikno/service_table.h>
#include <vikno/xroad_plugin.h>

namespace vehicle_check {

inline vikno::PluginParts parts() {
    return {.name = kPluginName,
            .version = kPluginVersion,
            .registry_uk = "Єдиний державний реєстр транспортних засобів МВС: перевірка",
            .registry_en = "Vehicle register of the Ministry of Internal Affairs: check",
            .profile = vikno::SignatureProfile::HttpMessageSig,
            .defaults = default_settings(),
            .services = vikno::describe_services(services()),
            .validate = validate_case,
            .translate = translate_case,
            .interpret = interpret_answer};
}

}  // namespace vehicle_check

VIKNO_XROAD_PLUGIN(VehicleCheckPlugin, vehicle_check::parts())
