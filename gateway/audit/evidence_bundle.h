#pragma once
// Evidence bundles: one case's audit entries with an inclusion proof for each against a signed
// checkpoint, and the certificates, in one JSON file an auditor can check offline (docs/audit.md).

#include <vikno/result.h>
#include <vikno/signing.h>

#include <map>
#include <string>
#include <vector>

namespace vikno::gateway::audit {

inline constexpr const char* kBundleFormat = "vikno-evidence/v1";

/// The bundle for `case_id` from the log in `dir`, proved against the latest checkpoint. Errors:
/// `case_unknown`, `not_sealed` (the case's last entry is newer than every checkpoint),
/// `log_invalid` (the entries do not match the checkpoint).
Result<std::string> export_bundle(const std::string& dir, const std::string& case_id,
                                  const crypto::Certificate& audit_certificate,
                                  const std::map<std::string, std::string>& other_certificates);

struct BundleReport {
    std::vector<std::string> entries;   ///< one line per proven entry
    std::vector<std::string> problems;  ///< empty when the bundle holds
    bool ok() const { return problems.empty(); }
};

/// Checks a bundle with nothing but itself and the audit certificate the auditor trusts.
BundleReport check_bundle(const std::string& bundle_json, const crypto::Certificate& audit_certificate);

}  // namespace vikno::gateway::audit
