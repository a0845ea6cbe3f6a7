#include "console/audit_snapshot.h"

#include "audit/audit_log.h"
#include "audit/entry_reading.h"
#include "audit/log_files.h"
#include "common/clock.h"
#include "logging/log_throttle.h"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace vikno::gateway::console {

std::string AuditSnapshot::View::entries_path() const { return dir_ + "/" + audit::kEntriesFile; }

std::optional<std::string> AuditSnapshot::View::line(std::uint64_t seq) const {
    if (!indexed_) return audit::line_at(entries_path(), seq);
    const auto offset = index_.offset_of(seq);
    return offset ? audit::entry_line_at(entries_path(), seq, *offset) : std::nullopt;
}

void AuditSnapshot::View::for_each_line_of_case(
    const std::string& case_id, const std::function<void(std::uint64_t, std::string_view)>& visit) const {
    const std::string path = entries_path();
    if (!indexed_) {
        const audit::EntryFilter filter{case_id, "", "", "", "", "", ""};
        audit::for_each_line(path, [&](std::uint64_t seq, std::string_view line) {
            if (filter.may_match(line)) visit(seq, line);
            return true;
        });
        return;
    }
    for (const auto& place : index_.lines_of_case(case_id)) {
        if (const auto line = audit::entry_line_at(path, place.seq, place.offset)) visit(place.seq, *line);
    }
}

AuditSnapshot::AuditSnapshot(const Config& config, std::vector<crypto::Certificate> trusted)
    : config_(config), trusted_(std::move(trusted)) {
    if (config_.store.postgres.empty()) {
        dir_ = config_.audit.dir;
    } else {
        // An earlier run's copy goes on from where it stands: the first pull checks that the database
        // still holds its last entry as it is there, and copies afresh if not (another database, a
        // log changed). A folder that holds no copy is made again.
        dir_ = config_.audit.dir + "/console-pull";
        if (auto place = audit::PostgresAuditLog::place_of(dir_)) {
            pulled_ = std::move(*place);
        } else {
            std::filesystem::remove_all(dir_);
        }
    }
    index_ = std::make_unique<AuditIndex>(config_.audit.dir + "/console-index.sqlite");
}

void AuditSnapshot::pull_locked() {
    std::unique_lock files(files_);
    try {
        audit::PostgresAuditLog::pull_more(config_.store.postgres, dir_, pulled_);
    } catch (const audit::AuditError& e) {
        // The database no longer holds what the copy has: show what it holds now (the state page
        // verifies it and names what changed).
        spdlog::error("console: {}; copying the log afresh", e.what());
        pulled_ = {};
        audit::PostgresAuditLog::pull_more(config_.store.postgres, dir_, pulled_);
    }
}

AuditSnapshot::View AuditSnapshot::view() {
    if (!config_.store.postgres.empty()) {
        std::lock_guard lock(mutex_);
        if (pulled_ms_ == 0 || now_ms() - pulled_ms_ >= 1000) {
            pull_locked();
            pulled_ms_ = now_ms();
        }
    }
    View view{std::shared_lock<std::shared_mutex>(files_), dir_, *index_};
    try {
        index_->catch_up(view.entries_path());
    } catch (const std::exception& e) {
        view.indexed_ = false;
        log_error_throttled(log_throttle_, "console-index",
                            "console: the audit index " + config_.audit.dir + "/console-index.sqlite cannot be " +
                                "updated (" + e.what() + "); pages read the whole log until it can");
    }
    return view;
}

void AuditSnapshot::appended() { pulled_ms_ = 0; }

audit::VerifyReport AuditSnapshot::verify() {
    const auto size_of = [](const std::string& folder, const char* file) -> std::uintmax_t {
        std::error_code error;
        const auto size = std::filesystem::file_size(folder + "/" + file, error);
        return error ? 0 : size;
    };
    std::uintmax_t size = 0;
    {
        const auto current = view();
        size = size_of(current.dir(), audit::kEntriesFile) + size_of(current.dir(), audit::kCheckpointsFile);
    }
    // Its own lock: pages go on being served while a large log is verified.
    std::lock_guard lock(verify_mutex_);
    if (size == verified_size_) return verified_;
    if (config_.store.postgres.empty()) {
        verified_ = audit::verify_log(dir_, trusted_);
    } else {
        const std::string fresh = config_.audit.dir + "/console-verify";
        audit::PostgresAuditLog::pull(config_.store.postgres, fresh);
        verified_ = audit::verify_log(fresh, trusted_);
        std::filesystem::remove_all(fresh);
        // The next page's copy is then at least as new as what this report says: a case the report
        // shows sealed is sealed in the copy its bundle is made from.
        appended();
    }
    verified_size_ = size;
    return verified_;
}

}  // namespace vikno::gateway::console
