// The iGov plugin's entry point: REST over X-Road, signed with HTTP message signatures.

#include "interpreter.h"
#include "translator.h"

#include <vikno/service_table.h>
#include <vikno/xroad_plugin.h>

namespace vikno::igov {
namespace {

PluginParts parts() {
    PluginParts p;
    p.name = kPluginName;
    p.version = kPluginVersion;
    p.registry_uk = "Портал державних послуг iGov";
    p.registry_en = "The iGov public services portal";
    p.profile = SignatureProfile::HttpMessageSig;
    p.defaults = default_settings();
    p.services = describe_services(services());
    p.validate = validate_case;
    p.translate = translate_case;
    p.interpret = interpret_answer;
    return p;
}

}  // namespace

class IgovPlugin final : public XRoadPlugin {
public:
    IgovPlugin() : XRoadPlugin(parts()) {}
};

}  // namespace vikno::igov

VIKNO_PLUGIN(vikno::igov::IgovPlugin)
