#pragma once
// A RegistryPlugin base that keeps the boundary rule for you: no exception leaves the plugin.
// Implement the on_* methods (they may throw); each public method catches and turns the exception
// into the contract's error value.

#include <vikno/plugin.h>

namespace vikno {

class GuardedPlugin : public RegistryPlugin {
public:
    Result<bool> configure(const PluginSettings& settings) noexcept final;
    FieldErrors validate(const CaseView& c) const noexcept final;
    Result<Exchange> translate(const CaseView& c, const ExchangeContext& context) const noexcept final;
    Interpretation interpret(const CaseView& c, const Exchange& sent,
                             const RegistryAnswer& answer) const noexcept final;
    Interpretation interpret_callback(const CaseView& c, const RegistryAnswer& callback) const noexcept final;

protected:
    virtual Result<bool> on_configure(const PluginSettings& settings) = 0;
    virtual FieldErrors on_validate(const CaseView& c) const = 0;
    virtual Result<Exchange> on_translate(const CaseView& c, const ExchangeContext& context) const = 0;
    virtual Interpretation on_interpret(const CaseView& c, const Exchange& sent,
                                        const RegistryAnswer& answer) const = 0;
    virtual Interpretation on_interpret_callback(const CaseView& c, const RegistryAnswer& callback) const {
        return RegistryPlugin::interpret_callback(c, callback);
    }
};

}  // namespace vikno
