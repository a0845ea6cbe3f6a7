// The taxpayer register plugin: REST over Trembita, signed with HTTP message signatures.

#include "interpreter.h"
#include "translator.h"

#include <vikno/service_table.h>
#include <vikno/xroad_plugin.h>

namespace vikno::tax_registry {

inline PluginParts parts() {
    return {.name = kPluginName,
            .version = kPluginVersion,
            .registry_uk = "Державний реєстр фізичних осіб - платників податків (ДРФО)",
            .registry_en = "State Register of individual taxpayers",
            .profile = SignatureProfile::HttpMessageSig,
            .defaults = default_settings(),
            .services = describe_services(services()),
            .validate = validate_case,
            .translate = translate_case,
            .interpret = interpret_answer};
}

}  // namespace vikno::tax_registry

VIKNO_XROAD_PLUGIN(TaxRegistryPlugin, vikno::tax_registry::parts())
