#include "console/audit_snapshot.h"

#include "audit/audit_log.h"
#include "audit/postgres_audit_log.h"
#include "common/clock.h"

#include <filesystem>

namespace vikno::gateway::console {

AuditSnapshot::AuditSnapshot(const Config& config, std::vector<crypto::Certificate> trusted)
    : config_(config), trusted_(std::move(trusted)) {}

std::string AuditSnapshot::dir() {
    if (config_.store.postgres.empty()) return config_.audit.dir;
    const std::string pulled = config_.audit.dir + "/console-pull";
    std::lock_guard lock(mutex_);
    if (now_ms() - pulled_ms_ >= 1000) {
        std::filesystem::create_directories(pulled);
        std::filesystem::permissions(pulled, std::filesystem::perms::owner_all);
        audit::PostgresAuditLog::pull(config_.store.postgres, pulled);
        pulled_ms_ = now_ms();
    }
    return pulled;
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
