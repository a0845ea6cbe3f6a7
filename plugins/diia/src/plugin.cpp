// The Diia plugin's entry point: its own settings (a partner account, not an X-Road address), the
// session-then-deep-link requests, and Diia's callback.

#include "interpreter.h"
#include "translator.h"

#include <vikno/guarded_plugin.h>
#include <vikno/service_table.h>

namespace vikno::diia {

class DiiaPlugin final : public GuardedPlugin {
public:
    PluginDescriptor describe() const noexcept override {
        PluginDescriptor d;
        d.name = kPluginName;
        d.version = kPluginVersion;
        d.registry_uk = "Дія: обмін документами та підписання для партнерів";
        d.registry_en = "Diia partner API: document sharing and signing";
        d.signature = SignatureProfile::HttpMessageSig;
        d.callback_header = kTraceHeader;
        d.services = describe_services(services());
        return d;
    }

private:
    Result<bool> on_configure(const PluginSettings& values) override {
        auto settings = parse_settings(values);
        if (!settings) return settings.error();
        settings_ = settings.value();
        return true;
    }
    FieldErrors on_validate(const CaseView& c) const override { return validate_case(c); }
    Result<Exchange> on_translate(const CaseView& c, const ExchangeContext& context) const override {
        return translate_case(c, context, settings_);
    }
    Interpretation on_interpret(const CaseView& c, const Exchange& sent, const RegistryAnswer& answer) const override {
        return interpret_answer(c, sent, answer, settings_);
    }
    Interpretation on_interpret_callback(const CaseView& c, const RegistryAnswer& callback) const override {
        return read_callback(c, callback);
    }

    Settings settings_;
};

}  // namespace vikno::diia

VIKNO_PLUGIN(vikno::diia::DiiaPlugin)
