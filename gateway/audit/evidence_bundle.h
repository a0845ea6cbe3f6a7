#pragma once
// Evidence bundles: one case's audit entries with an inclusion proof for each against a signed
// checkpoint, and the certificates, in one JSON file an auditor can check offline (docs/audit.md).

#include "audit/merkle.h"

#include <vikno/result.h>
#include <vikno/signing.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vikno::gateway::audit {

inline constexpr const char* kBundleFormat = "vikno-evidence/v1";

/// Where a line of entries.jsonl is: its number and the byte it starts at.
struct LinePlace {
    std::uint64_t seq = 0;
    std::uint64_t offset = 0;
    bool operator==(const LinePlace&) const = default;
};

/// What a reader that keeps an index of the log (the console) can tell a bundle, so that it reads
/// the case's lines and a block of entries at each end of a proof instead of the whole log. Nothing
/// it says is trusted: the lines are read from the log and must be the case's, and the proofs must
/// lead to the checkpoint's signed root, or the bundle is made from the whole log.
class LogIndex {
public:
    virtual ~LogIndex() = default;
    /// The lines that name `case_id`, oldest first.
    virtual std::vector<LinePlace> lines_of_case(const std::string& case_id) = 0;
    /// Where line `seq` starts; nullopt when the index has not seen it.
    virtual std::optional<std::uint64_t> offset_of(std::uint64_t seq) = 0;
    /// Lines indexed so far (the log may have more).
    virtual std::uint64_t lines() = 0;
    /// Leaves in a block (a power of two), and the root of each complete block from leaf 0 on.
    virtual std::uint64_t leaves_per_block() const = 0;
    virtual std::vector<Hash> block_roots() = 0;
};

/// The bundle for `case_id` from the log in `dir`, proved against the latest checkpoint. Errors:
/// `case_unknown`, `not_sealed` (the case's last entry is newer than every checkpoint),
/// `log_invalid` (the entries do not match the checkpoint). With an `index`, the same bundle from a
/// few blocks of the log (the whole log read when the index is out of step with it).
Result<std::string> export_bundle(const std::string& dir, const std::string& case_id,
                                  const crypto::Certificate& audit_certificate,
                                  const std::map<std::string, std::string>& other_certificates,
                                  LogIndex* index = nullptr);

struct BundleReport {
    std::vector<std::string> entries;   ///< one line per proven entry
    std::vector<std::string> problems;  ///< empty when the bundle holds
    bool ok() const { return problems.empty(); }
};

/// Checks a bundle with nothing but itself and the audit certificate the auditor trusts.
BundleReport check_bundle(const std::string& bundle_json, const crypto::Certificate& audit_certificate);

}  // namespace vikno::gateway::audit
