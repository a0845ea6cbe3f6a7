#pragma once
// Diia as a partner ("acquirer") uses it: document sharing and signing of hashed files through a deep
// link the applicant opens in the Diia app; Diia answers later by calling the partner back.

#include <vikno/plugin.h>

#include <string>
#include <vector>

namespace vikno::diia {

inline constexpr const char* kPluginName = "diia";
inline constexpr const char* kPluginVersion = "1.0.0";
inline constexpr const char* kTraceHeader = "X-Document-Request-Trace-Id";

enum class Operation { DocumentRequest, SignFiles };

struct Service {
    std::string code;
    Operation operation;
    std::string title_uk;
    std::string title_en;
    std::vector<std::string> required_fields;
};

const std::vector<Service>& services();
const Service* find_service(const std::string& code);

/// The partner's account with Diia (plugins.load[].settings).
struct Settings {
    std::string acquirer_token = "vikno-dev-acquirer";  ///< the partner's acquirer token
    std::string auth_basic = "vikno:dev-secret";        ///< login:password for the session request
    std::string branch_id = "branch-vinnytsia-01";
    std::string document_offer_id = "offer-documents-01";
    std::string signing_offer_id = "offer-signing-01";
};

/// Unknown keys are refused so typos do not pass silently.
Result<Settings> parse_settings(const PluginSettings& values);

}  // namespace vikno::diia
