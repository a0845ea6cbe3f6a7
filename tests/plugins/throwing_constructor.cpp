// A plugin whose constructor throws: the gateway's refusal must carry the exception's text.
#include <vikno/plugin.h>

#include <stdexcept>

namespace {

class ThrowingPlugin final : public vikno::RegistryPlugin {
public:
    ThrowingPlugin() { throw std::runtime_error("the service table names drac.birth-extract twice"); }
    vikno::PluginDescriptor describe() const noexcept override { return {}; }
    vikno::Result<bool> configure(const vikno::PluginSettings&) noexcept override { return true; }
    vikno::FieldErrors validate(const vikno::CaseView&) const noexcept override { return {}; }
    vikno::Result<vikno::Exchange> translate(const vikno::CaseView&,
                                             const vikno::ExchangeContext&) const noexcept override {
        return vikno::Exchange{};
    }
    vikno::Interpretation interpret(const vikno::CaseView&, const vikno::Exchange&,
                                    const vikno::RegistryAnswer&) const noexcept override {
        return {};
    }
};

}  // namespace

VIKNO_PLUGIN(ThrowingPlugin)
