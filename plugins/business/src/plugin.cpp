// The business register plugin's entry point: REST (and one plain-XML call) over X-Road, signed with
// HTTP message signatures.

#include "interpreter.h"
#include "translator.h"

#include <vikno/service_table.h>
#include <vikno/xroad_plugin.h>

namespace vikno::business {
namespace {

PluginParts parts() {
    PluginParts p;
    p.name = kPluginName;
    p.version = kPluginVersion;
    p.registry_uk = "Єдиний державний реєстр юридичних осіб, фізичних осіб-підприємців та громадських формувань (ЄДР)";
    p.registry_en = "Unified State Register of legal entities, individual entrepreneurs and public associations";
    p.profile = SignatureProfile::HttpMessageSig;
    p.defaults = default_settings();
    p.services = describe_services(services());
    p.validate = validate_case;
    p.translate = translate_case;
    p.interpret = interpret_answer;
    return p;
}

}  // namespace

class BusinessPlugin final : public XRoadPlugin {
public:
    BusinessPlugin() : XRoadPlugin(parts()) {}
};

}  // namespace vikno::business

VIKNO_PLUGIN(vikno::business::BusinessPlugin)
