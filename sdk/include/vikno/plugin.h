#pragma once
// The registry plugin contract. A plugin is a pure translator between the case model and one
// registry's exchange format: it validates service fields, translates a case into an Exchange and
// interprets the answer. The gateway owns transport, retries, signing and audit.
//
// Boundary rules (the plugin is a shared library loaded with Boost.DLL):
//  - no exceptions cross it: every method is noexcept and reports failure in its return value;
//  - the plugin declares the interface version it was built against; the gateway refuses others;
//  - the gateway keeps the library loaded for as long as any object from it lives.

#include <vikno/case_view.h>
#include <vikno/document_writer.h>
#include <vikno/exchange.h>
#include <vikno/outcome.h>
#include <vikno/result.h>

#include <boost/dll/alias.hpp>

#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vikno {

/// Bump on any change to the types in this header, case_view.h, outcome.h, exchange.h or result.h.
/// 2: the signature profile moved to PluginDescriptor; 3: Verdict::Continue and Interpretation::next;
/// 4: Verdict::Await, Interpretation::awaiting and RegistryPlugin::interpret_callback;
/// 5: Case::callback_url, CaseStatus::PartlyCompleted and Cancelled;
/// 6: plugins read a CaseView instead of the gateway's Case, and give the outcome document as JSON
///    text (Outcome::document_json, DocumentWriter): no gateway bookkeeping and no Poco type in the
///    contract (docs/plugin-guide.md, "Interface version 6").
inline constexpr std::uint32_t kPluginApiVersion = 6;

struct ServiceDescriptor {
    std::string code;  ///< unique across all loaded plugins, e.g. `drac.birth-extract`
    std::string title_uk;
    std::string title_en;
    /// Case fields the service needs, as field paths; alternatives are written `a | b`.
    std::vector<std::string> required_fields;
};

struct PluginDescriptor {
    std::string name;     ///< e.g. `civil_registry`
    std::string version;  ///< the plugin's own version
    std::string registry_uk;
    std::string registry_en;
    std::vector<ServiceDescriptor> services;
    /// How the gateway signs this registry's requests and verifies its answers.
    SignatureProfile signature = SignatureProfile::XmlDsigXRoad;
    /// For registries that call back (Verdict::Await): the header of the callback that carries the
    /// id given in Interpretation::awaiting. Empty: the registry never calls back.
    std::string callback_header;
};

/// Plugin-specific settings from the gateway configuration (`plugins[].settings`).
using PluginSettings = std::map<std::string, std::string>;

/// What the registry's answer means for the case.
enum class Verdict {
    Completed,  ///< the result is in the outcome
    Rejected,   ///< the registry answered "no" (not found, refused); final
    Failed,     ///< permanent failure (invalid request, unusable answer); final
    Retry,      ///< transient (registry busy or down); send the same message again later
    Continue,   ///< this answer needs a follow-up request (`next`), e.g. details after a search
    Await       ///< the registry answers later by calling the gateway back, quoting `awaiting`
};

struct Interpretation {
    Verdict verdict = Verdict::Failed;
    Outcome outcome;     ///< messages for the CNAP in Ukrainian and English, reference, document
    std::string reason;  ///< short technical reason for logs and history (no personal data)
    /// For Continue: the next request. Give it its own stable message id (e.g. the first one with a
    /// step suffix) so that retries of the case repeat it unchanged and the registry can deduplicate.
    std::optional<Exchange> next;
    /// For Await: the id the registry's callback will carry (e.g. Diia's request id). The case waits
    /// in `awaiting_registry` with `outcome` (e.g. a deep link for the applicant) until it comes.
    std::string awaiting;
};

class RegistryPlugin {
public:
    virtual ~RegistryPlugin() = default;

    virtual PluginDescriptor describe() const noexcept = 0;

    /// Called once after loading with the configured settings. An error refuses the plugin at start.
    virtual Result<bool> configure(const PluginSettings& settings) noexcept = 0;

    /// Service-specific field checks, run before the case is accepted. Empty when the case is fine.
    virtual FieldErrors validate(const CaseView& c) const noexcept = 0;

    /// The request for the case's service. An error fails the case without sending anything.
    virtual Result<Exchange> translate(const CaseView& c, const ExchangeContext& context) const noexcept = 0;

    /// What the registry's answer means. Called only for answers that passed the gateway's checks.
    virtual Interpretation interpret(const CaseView& c, const Exchange& sent,
                                     const RegistryAnswer& answer) const noexcept = 0;

    /// What a registry's callback (a request to POST /v1/callbacks/<plugin>, already verified
    /// against the pinned certificate) means for the awaiting case. Only plugins that answer Await
    /// receive callbacks.
    virtual Interpretation interpret_callback(const CaseView& /*c*/,
                                              const RegistryAnswer& /*callback*/) const noexcept {
        Interpretation unexpected;
        unexpected.reason = "this plugin expects no callbacks";
        return unexpected;
    }
};

}  // namespace vikno

/// Exports a plugin class from a shared library. Use once, in one source file of the plugin:
///   VIKNO_PLUGIN(MyRegistryPlugin)
/// It exports `vikno_plugin_api_version` (the version this plugin was compiled against),
/// `vikno_create_plugin` (a factory that never throws: it returns nullptr on failure) and
/// `vikno_plugin_last_error` (why the factory failed: the constructor's exception text, so the
/// gateway's refusal can say it; optional for the host, so version 5 plugins without it still load).
#define VIKNO_PLUGIN(PluginClass)                                                      \
    namespace vikno_plugin_exports {                                                   \
    inline std::string& last_error_text() noexcept {                                   \
        static std::string text;                                                       \
        return text;                                                                   \
    }                                                                                  \
    inline std::uint32_t api_version() noexcept { return ::vikno::kPluginApiVersion; } \
    inline ::vikno::RegistryPlugin* create() noexcept {                                \
        try {                                                                          \
            return new PluginClass();                                                  \
        } catch (const std::exception& e) {                                            \
            try {                                                                      \
                last_error_text() = e.what();                                          \
            } catch (...) {}                                                           \
        } catch (...) {                                                                \
            last_error_text().clear();                                                 \
        }                                                                              \
        return nullptr;                                                                \
    }                                                                                  \
    inline const char* last_error() noexcept { return last_error_text().c_str(); }     \
    }                                                                                  \
    BOOST_DLL_ALIAS(vikno_plugin_exports::api_version, vikno_plugin_api_version)       \
    BOOST_DLL_ALIAS(vikno_plugin_exports::create, vikno_create_plugin)                 \
    BOOST_DLL_ALIAS(vikno_plugin_exports::last_error, vikno_plugin_last_error)
