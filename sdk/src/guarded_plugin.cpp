#include <vikno/guarded_plugin.h>

namespace vikno {

Result<bool> GuardedPlugin::configure(const PluginSettings& settings) noexcept {
    try {
        return on_configure(settings);
    } catch (const std::exception& e) {
        return Error{"configure_failed", e.what()};
    } catch (...) {
        return Error{"configure_failed", "unknown exception"};
    }
}

FieldErrors GuardedPlugin::validate(const CaseView& c) const noexcept {
    try {
        return on_validate(c);
    } catch (const std::exception& e) {
        return {{"", std::string("validation failed: ") + e.what()}};
    } catch (...) {
        return {{"", "validation failed"}};
    }
}

Result<Exchange> GuardedPlugin::translate(const CaseView& c, const ExchangeContext& context) const noexcept {
    try {
        return on_translate(c, context);
    } catch (const std::exception& e) {
        return Error{"translate_failed", e.what()};
    } catch (...) {
        return Error{"translate_failed", "unknown exception"};
    }
}

Interpretation GuardedPlugin::interpret(const CaseView& c, const Exchange& sent,
                                        const RegistryAnswer& answer) const noexcept {
    try {
        return on_interpret(c, sent, answer);
    } catch (...) {
        Interpretation failed;
        failed.reason = "the plugin could not read the answer";
        failed.outcome.message_uk = "Не вдалося прочитати відповідь реєстру";
        failed.outcome.message_en = "The registry's answer could not be read";
        return failed;
    }
}

Interpretation GuardedPlugin::interpret_callback(const CaseView& c, const RegistryAnswer& callback) const noexcept {
    try {
        return on_interpret_callback(c, callback);
    } catch (...) {
        Interpretation failed;
        failed.reason = "the plugin could not read the callback";
        failed.outcome.message_uk = "Не вдалося прочитати відповідь реєстру";
        failed.outcome.message_en = "The registry's answer could not be read";
        return failed;
    }
}

}  // namespace vikno
