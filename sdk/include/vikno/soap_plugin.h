#pragma once
// A base for plugins of SOAP registries behind Trembita: the no-exception guard of GuardedPlugin,
// the XML-DSig signature profile, and the registry's X-Road address read from the settings.

#include <vikno/guarded_plugin.h>
#include <vikno/xroad_service.h>

namespace vikno {

class SoapPlugin : public GuardedPlugin {
protected:
    explicit SoapPlugin(soap::ServiceSettings defaults) : defaults_(defaults), settings_(std::move(defaults)) {}

    /// A descriptor with name, version, registry names and the XmlDsigXRoad profile filled in.
    static PluginDescriptor descriptor(std::string name, std::string version, std::string registry_uk,
                                       std::string registry_en) {
        PluginDescriptor d;
        d.name = std::move(name);
        d.version = std::move(version);
        d.registry_uk = std::move(registry_uk);
        d.registry_en = std::move(registry_en);
        d.signature = SignatureProfile::XmlDsigXRoad;  // SOAP over Trembita: XML-DSig
        return d;
    }

    Result<bool> on_configure(const PluginSettings& values) override {
        auto settings = soap::parse_service_settings(values, defaults_);
        if (!settings) return settings.error();
        settings_ = settings.value();
        return true;
    }

    const soap::ServiceSettings& settings() const { return settings_; }

private:
    soap::ServiceSettings defaults_;
    soap::ServiceSettings settings_;
};

}  // namespace vikno
