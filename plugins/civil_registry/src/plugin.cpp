// The civil registry plugin's entry point: wires the translator and interpreter into the SDK's
// plugin contract and exports the factory.

#include "interpreter.h"
#include "translator.h"

#include <vikno/guarded_plugin.h>

namespace vikno::civil_registry {

class CivilRegistryPlugin final : public GuardedPlugin {
public:
    PluginDescriptor describe() const noexcept override {
        PluginDescriptor descriptor;
        descriptor.name = kPluginName;
        descriptor.version = kPluginVersion;
        descriptor.registry_uk = "Державний реєстр актів цивільного стану громадян (ДРАЦС)";
        descriptor.registry_en = "State Register of Civil Status Acts";
        descriptor.signature = SignatureProfile::XmlDsigXRoad;  // SOAP over Trembita: XML-DSig
        for (const auto& service : services()) {
            descriptor.services.push_back({service.code, service.title_uk, service.title_en, service.required_fields});
        }
        return descriptor;
    }

private:
    Result<bool> on_configure(const PluginSettings& values) override {
        auto settings = soap::parse_service_settings(values, default_settings());
        if (!settings) return settings.error();
        settings_ = settings.value();
        return true;
    }
    FieldErrors on_validate(const Case& c) const override { return validate_case(c); }
    Result<Exchange> on_translate(const Case& c, const ExchangeContext& context) const override {
        return translate_case(c, context, settings_);
    }
    Interpretation on_interpret(const Case& c, const Exchange& sent, const RegistryAnswer& answer) const override {
        return interpret_answer(c, sent, answer);
    }

    Settings settings_ = default_settings();
};

}  // namespace vikno::civil_registry

VIKNO_PLUGIN(vikno::civil_registry::CivilRegistryPlugin)
