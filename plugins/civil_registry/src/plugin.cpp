// The civil registry plugin's entry point: wires the translator and interpreter into the SDK's
// plugin contract and exports the factory.

#include "interpreter.h"
#include "translator.h"

namespace vikno::civil_registry {

class CivilRegistryPlugin final : public RegistryPlugin {
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

    Result<bool> configure(const PluginSettings& values) noexcept override {
        try {
            auto settings = parse_settings(values);
            if (!settings) return settings.error();
            settings_ = settings.value();
            return true;
        } catch (const std::exception& e) {
            return Error{"configure_failed", e.what()};
        }
    }

    FieldErrors validate(const Case& c) const noexcept override {
        try {
            return validate_case(c);
        } catch (const std::exception& e) {
            return {{"", std::string("validation failed: ") + e.what()}};
        }
    }

    Result<Exchange> translate(const Case& c, const ExchangeContext& context) const noexcept override {
        try {
            return translate_case(c, context, settings_);
        } catch (const std::exception& e) {
            return Error{"translate_failed", e.what()};
        }
    }

    Interpretation interpret(const Case& c, const Exchange& sent, const RegistryAnswer& answer) const noexcept override {
        try {
            return interpret_answer(c, sent, answer);
        } catch (const std::exception& e) {
            Interpretation failed;
            failed.reason = std::string("interpret failed: ") + e.what();
            failed.outcome.message_uk = "Не вдалося прочитати відповідь реєстру";
            failed.outcome.message_en = "The registry's answer could not be read";
            return failed;
        }
    }

private:
    Settings settings_;
};

}  // namespace vikno::civil_registry

VIKNO_PLUGIN(vikno::civil_registry::CivilRegistryPlugin)
