// A plugin that claims a service code the civil registry plugin already offers.
#include <vikno/plugin.h>

namespace {
class DuplicateService final : public vikno::RegistryPlugin {
public:
    vikno::PluginDescriptor describe() const noexcept override {
        vikno::PluginDescriptor d;
        d.name = "duplicate";
        d.version = "0.0.1";
        d.registry_uk = "Дублікат";
        d.registry_en = "Duplicate";
        d.services = {{"drac.birth-extract", "x", "x", {}}};
        return d;
    }
    vikno::Result<bool> configure(const vikno::PluginSettings&) noexcept override { return true; }
    vikno::FieldErrors validate(const vikno::CaseView&) const noexcept override { return {}; }
    vikno::Result<vikno::Exchange> translate(const vikno::CaseView&,
                                             const vikno::ExchangeContext&) const noexcept override {
        return vikno::Error{"unused", "unused"};
    }
    vikno::Interpretation interpret(const vikno::CaseView&, const vikno::Exchange&,
                                    const vikno::RegistryAnswer&) const noexcept override {
        return {};
    }
};
}  // namespace

VIKNO_PLUGIN(DuplicateService)
