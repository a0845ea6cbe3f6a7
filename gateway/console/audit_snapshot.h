#pragma once
// The audit log as the console reads it: the two files an auditor verifies. A single gateway's log
// is read in place; a log in PostgreSQL is pulled (as `vikno audit pull` does) into a folder of
// the console's own, at most once a second (a folder per pull), so every page reads one
// consistent export.

#include "audit/log_verifier.h"
#include "config/config.h"

#include <vikno/signing.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace vikno::gateway::console {

class AuditSnapshot {
public:
    AuditSnapshot(const Config& config, std::vector<crypto::Certificate> trusted);

    /// The folder holding entries.jsonl and checkpoints.jsonl, current to within a second.
    std::string dir();
    /// The console itself added an entry: the next dir() shows it.
    void appended();
    /// `vikno audit verify`'s report on the current files; recomputed only when they grew.
    audit::VerifyReport verify();
    const std::vector<crypto::Certificate>& trusted() const { return trusted_; }

private:
    const Config& config_;
    std::vector<crypto::Certificate> trusted_;
    std::mutex mutex_;
    std::int64_t pulled_ms_ = 0;
    std::uint64_t generation_ = 0;
    std::string current_;
    std::uintmax_t verified_size_ = static_cast<std::uintmax_t>(-1);
    audit::VerifyReport verified_;
};

}  // namespace vikno::gateway::console
