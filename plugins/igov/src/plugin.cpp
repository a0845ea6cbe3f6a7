// The iGov plugin: REST over X-Road, signed with HTTP message signatures.

#include "interpreter.h"
#include "translator.h"

#include <vikno/service_table.h>
#include <vikno/xroad_plugin.h>

namespace vikno::igov {

inline PluginParts parts() {
    return {.name = kPluginName,
            .version = kPluginVersion,
            .registry_uk = "Портал державних послуг iGov",
            .registry_en = "The iGov public services portal",
            .profile = SignatureProfile::HttpMessageSig,
            .defaults = default_settings(),
            .services = describe_services(services()),
            .validate = validate_case,
            .translate = translate_case,
            .interpret = interpret_answer};
}

}  // namespace vikno::igov

VIKNO_XROAD_PLUGIN(IgovPlugin, vikno::igov::parts())
