#include "console/audit_snapshot.h"

#include "audit/audit_log.h"
#include "audit/postgres_audit_log.h"
#include "common/clock.h"

#include <filesystem>

namespace vikno::gateway::console {

AuditSnapshot::AuditSnapshot(const Config& config, std::vector<crypto::Certificate> trusted)
    : config_(config), trusted_(std::move(trusted)) {
    // An earlier run's pulls are stale: start from none.
    if (!config_.store.postgres.empty()) std::filesystem::remove_all(config_.audit.dir + "/console-pull");
}

std::string AuditSnapshot::dir() {
    if (config_.store.postgres.empty()) return config_.audit.dir;
    std::lock_guard lock(mutex_);
    if (current_.empty() || now_ms() - pulled_ms_ >= 1000) {
        // Each pull into a folder of its own: a request still reading the previous one is not
        // given a file half rewritten. The one before that is no longer read by anyone.
        const std::string root = config_.audit.dir + "/console-pull";
        const std::string next = root + "/" + std::to_string(++generation_);
        std::filesystem::create_directories(next);
        std::filesystem::permissions(root, std::filesystem::perms::owner_all);
        audit::PostgresAuditLog::pull(config_.store.postgres, next);
        current_ = next;
        pulled_ms_ = now_ms();
        if (generation_ > 2) std::filesystem::remove_all(root + "/" + std::to_string(generation_ - 2));
    }
    return current_;
}

void AuditSnapshot::appended() {
    std::lock_guard lock(mutex_);
    pulled_ms_ = 0;
}

audit::VerifyReport AuditSnapshot::verify() {
    const std::string folder = dir();
    const auto size_of = [&](const char* file) -> std::uintmax_t {
        std::error_code error;
        const auto size = std::filesystem::file_size(folder + "/" + file, error);
        return error ? 0 : size;
    };
    const std::uintmax_t size = size_of(audit::kEntriesFile) + size_of(audit::kCheckpointsFile);
    std::lock_guard lock(mutex_);
    if (size != verified_size_) {
        verified_ = audit::verify_log(folder, trusted_);
        verified_size_ = size;
    }
    return verified_;
}

}  // namespace vikno::gateway::console
