// The civil registry plugin with a credulous interpreter: every answer completes the case, and its
// reason names the applicant. The conformance kit must fail it (tests/sdk/plugin_check.py).

#include "../../plugins/civil_registry/src/services.h"
#include "../../plugins/civil_registry/src/translator.h"

#include <vikno/service_table.h>
#include <vikno/xroad_plugin.h>

namespace {

vikno::Interpretation believe_anything(const vikno::CaseView& c, const vikno::Exchange&, const vikno::RegistryAnswer&) {
    vikno::Interpretation result;
    result.verdict = vikno::Verdict::Completed;
    result.reason = "found " + c.applicant.last_name;
    return result;
}

vikno::PluginParts parts() {
    using namespace vikno::civil_registry;
    return {.name = kPluginName,
            .version = "0.0.1-credulous",
            .registry_uk = "ДРАЦС (довірливий)",
            .registry_en = "Civil registry (credulous)",
            .profile = vikno::SignatureProfile::XmlDsigXRoad,
            .defaults = default_settings(),
            .services = vikno::describe_services(services()),
            .validate = validate_case,
            .translate = translate_case,
            .interpret = believe_anything};
}

}  // namespace

VIKNO_XROAD_PLUGIN(CredulousPlugin, parts())
