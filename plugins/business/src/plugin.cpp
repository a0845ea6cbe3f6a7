// The business register plugin: REST (and one plain-XML call) over X-Road, signed with HTTP message signatures.

#include "interpreter.h"
#include "translator.h"

#include <vikno/service_table.h>
#include <vikno/xroad_plugin.h>

namespace vikno::business {

inline PluginParts parts() {
    return {.name = kPluginName,
            .version = kPluginVersion,
            .registry_uk =
                "Єдиний державний реєстр юридичних осіб, фізичних осіб-підприємців та громадських формувань (ЄДР)",
            .registry_en = "Unified State Register of legal entities, individual entrepreneurs and public associations",
            .profile = SignatureProfile::HttpMessageSig,
            .defaults = default_settings(),
            .services = describe_services(services()),
            .validate = validate_case,
            .translate = translate_case,
            .interpret = interpret_answer};
}

}  // namespace vikno::business

VIKNO_XROAD_PLUGIN(BusinessPlugin, vikno::business::parts())
