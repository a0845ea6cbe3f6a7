// The real estate plugin's entry point: the translator and interpreter behind the SDK's contract.

#include "interpreter.h"
#include "translator.h"

#include <vikno/service_table.h>
#include <vikno/soap_plugin.h>

namespace vikno::real_estate {

class RealEstatePlugin final : public SoapPlugin {
public:
    RealEstatePlugin() : SoapPlugin(default_settings()) {}

    PluginDescriptor describe() const noexcept override {
        PluginDescriptor d = descriptor(kPluginName, kPluginVersion, "Державний реєстр речових прав на нерухоме майно (ДРРП)",
                                        "State Register of Real Property Rights");
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

}  // namespace vikno::real_estate

VIKNO_PLUGIN(vikno::real_estate::RealEstatePlugin)
