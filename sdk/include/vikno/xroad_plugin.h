#pragma once
// A whole plugin for a registry behind Trembita (X-Road), SOAP or REST, from its parts: the names,
// the registry's default X-Road address, the signature profile, the service table and three
// functions (validate, translate, interpret). It keeps the no-exception boundary (GuardedPlugin)
// and reads the registry's address from the settings. A plugin's entry point is then one line:
//
//   VIKNO_XROAD_PLUGIN(MyPlugin, my::parts())

#include <vikno/guarded_plugin.h>
#include <vikno/service_table.h>
#include <vikno/xroad_service.h>

#include <functional>
#include <string>
#include <vector>

namespace vikno {

struct PluginParts {
    std::string name;
    std::string version;
    std::string registry_uk;
    std::string registry_en;
    SignatureProfile profile = SignatureProfile::XmlDsigXRoad;  ///< HttpMessageSig for REST registries
    soap::ServiceSettings defaults;                             ///< the registry's X-Road address
    std::vector<ServiceDescriptor> services;
    /// Called only for a case of one of `services`.
    std::function<FieldErrors(const CaseView&)> validate;
    /// Called only for a case of one of `services` that `validate` passed.
    std::function<Result<Exchange>(const CaseView&, const ExchangeContext&, const soap::ServiceSettings&)> translate;
    /// Called only for a case of one of `services`.
    std::function<Interpretation(const CaseView&, const Exchange&, const RegistryAnswer&)> interpret;
};

/// A SOAP registry behind Trembita described once: its names, default X-Road address, body
/// namespace and services, the one table its plugin, simulator and tests read. A plugin whose
/// rows fit SoapService keeps only this and its three functions.
struct SoapRegistry {
    std::string name;  ///< the plugin's name, e.g. `demographic_registry`
    std::string version;
    std::string title_uk;
    std::string title_en;
    std::string body_namespace;
    soap::ServiceSettings address;
    std::vector<SoapService> services;

    /// The service with this Vikno code, or nullptr.
    const SoapService* find(const std::string& code) const { return find_by(services, &SoapService::code, code); }
    /// The service whose request body element this is (the simulator's dispatch), or nullptr.
    const SoapService* by_request(const std::string& element) const {
        return find_by(services, &SoapService::request, element);
    }
    /// The request for a case of one of `services`: the body `request_body` writes for its row, in
    /// the envelope with the X-Road header for `settings`, under the context's message id.
    using RequestBody = std::string (*)(const SoapService& service, const CaseView& c);
    Result<Exchange> request(const CaseView& c, const ExchangeContext& context, const soap::ServiceSettings& settings,
                             RequestBody request_body) const {
        const SoapService* service = find(c.service);
        if (service == nullptr) return Error{"unknown_service", "'" + c.service + "' is not a service of " + name};
        return soap::soap_request(settings, context, service->xroad_code, request_body(*service, c));
    }
    /// The plugin of this registry (XML-DSig over X-Road) from what is its own: the case's checks,
    /// the request body element, and the meaning of the answer.
    PluginParts parts(FieldErrors (*validate)(const CaseView&), RequestBody request_body,
                      Interpretation (*interpret)(const CaseView&, const Exchange&, const RegistryAnswer&)) const {
        auto translate = [registry = *this, request_body](const CaseView& c, const ExchangeContext& context,
                                                          const soap::ServiceSettings& settings) {
            return registry.request(c, context, settings, request_body);
        };
        return {name,
                version,
                title_uk,
                title_en,
                SignatureProfile::XmlDsigXRoad,
                address,
                describe_services(services),
                validate,
                std::move(translate),
                interpret};
    }
};

class XRoadPlugin : public GuardedPlugin {
public:
    explicit XRoadPlugin(PluginParts parts) : parts_(std::move(parts)), settings_(parts_.defaults) {}

    PluginDescriptor describe() const noexcept override {
        PluginDescriptor d;
        d.name = parts_.name;
        d.version = parts_.version;
        d.registry_uk = parts_.registry_uk;
        d.registry_en = parts_.registry_en;
        d.signature = parts_.profile;
        d.services = parts_.services;
        return d;
    }

protected:
    Result<bool> on_configure(const PluginSettings& values) override {
        auto settings = soap::parse_service_settings(values, parts_.defaults);
        if (!settings) return settings.error();
        settings_ = settings.value();
        return true;
    }
    // What every plugin repeated, done once here: a case of a service this plugin does not offer
    // never reaches its functions, and translate() runs only for a case that validates. The
    // plugin's validate, translate and interpret may therefore look their service up and use it.
    FieldErrors on_validate(const CaseView& c) const override {
        if (!offers(c.service)) return {{"service", "is not offered by the " + parts_.name + " plugin"}};
        return parts_.validate(c);
    }
    Result<Exchange> on_translate(const CaseView& c, const ExchangeContext& context) const override {
        if (!offers(c.service)) {
            return Error{"unknown_service",
                         "service '" + c.service + "' is not offered by the " + parts_.name + " plugin"};
        }
        if (auto errors = parts_.validate(c); !errors.empty()) {
            return Error{"invalid_case", errors.front().field + " " + errors.front().reason};
        }
        return parts_.translate(c, context, settings_);
    }
    Interpretation on_interpret(const CaseView& c, const Exchange& sent, const RegistryAnswer& answer) const override {
        if (!offers(c.service)) {
            Interpretation unknown;
            unknown.verdict = Verdict::Failed;
            unknown.reason = "unknown service";
            unknown.outcome.message_uk = "Невідома послуга";
            unknown.outcome.message_en = "Unknown service";
            return unknown;
        }
        return parts_.interpret(c, sent, answer);
    }

    bool offers(const std::string& service) const {
        for (const auto& offered : parts_.services) {
            if (offered.code == service) return true;
        }
        return false;
    }

private:
    PluginParts parts_;
    soap::ServiceSettings settings_;
};

}  // namespace vikno

/// Defines `PluginClass` as the XRoadPlugin made of `parts` and exports it (see VIKNO_PLUGIN).
#define VIKNO_XROAD_PLUGIN(PluginClass, parts)              \
    class PluginClass final : public ::vikno::XRoadPlugin { \
    public:                                                 \
        PluginClass() : XRoadPlugin(parts) {}               \
    };                                                      \
    VIKNO_PLUGIN(PluginClass)
