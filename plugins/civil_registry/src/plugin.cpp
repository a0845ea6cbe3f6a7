// The civil registry plugin's entry point: wires the translator and interpreter into the SDK's
// plugin contract and exports the factory.

#include "interpreter.h"
#include "translator.h"

#include <vikno/service_table.h>
#include <vikno/soap_plugin.h>

namespace vikno::civil_registry {

class CivilRegistryPlugin final : public SoapPlugin {
public:
    CivilRegistryPlugin() : SoapPlugin(default_settings()) {}

    PluginDescriptor describe() const noexcept override {
        PluginDescriptor d = descriptor(kPluginName, kPluginVersion, "Державний реєстр актів цивільного стану громадян (ДРАЦС)",
                                        "State Register of Civil Status Acts");
        describe_services(d, services());
        return d;
    }

private:
    FieldErrors on_validate(const Case& c) const override { return validate_case(c); }
    Result<Exchange> on_translate(const Case& c, const ExchangeContext& context) const override {
        return translate_case(c, context, settings());
    }
    Interpretation on_interpret(const Case& c, const Exchange& sent, const RegistryAnswer& answer) const override {
        return interpret_answer(c, sent, answer);
    }
};

}  // namespace vikno::civil_registry

VIKNO_PLUGIN(vikno::civil_registry::CivilRegistryPlugin)
