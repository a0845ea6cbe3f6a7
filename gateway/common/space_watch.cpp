#include "common/space_watch.h"

#include "common/clock.h"

#include <spdlog/spdlog.h>

#include <sys/statvfs.h>

#include <limits>

namespace vikno::gateway {
namespace {

// statvfs is cheap, but the submit path asks on every request: look again at most this often.
constexpr std::int64_t kRecheckMs = 250;

std::string mib(std::int64_t bytes) { return std::to_string(bytes / (1 << 20)) + " MiB"; }

}  // namespace

SpaceWatch::SpaceWatch(std::vector<std::string> dirs, std::int64_t min_free_bytes)
    : dirs_(std::move(dirs)), min_free_bytes_(min_free_bytes) {}

void SpaceWatch::refresh_locked(std::int64_t now) {
    if (checked_ms_ != 0 && now - checked_ms_ < kRecheckMs) return;
    checked_ms_ = now;
    std::int64_t least = std::numeric_limits<std::int64_t>::max();
    std::string where;
    for (const auto& dir : dirs_) {
        struct statvfs fs {};
        if (::statvfs(dir.c_str(), &fs) != 0) continue;  // not there yet: the writes will say
        const auto available = static_cast<std::int64_t>(fs.f_bavail) * static_cast<std::int64_t>(fs.f_frsize);
        if (available < least) {
            least = available;
            where = dir;
        }
    }
    if (least == std::numeric_limits<std::int64_t>::max()) return;
    free_bytes_ = least;
    const bool low = least < min_free_bytes_;
    if (low && !low_) {
        low_since_ms_ = now;
        spdlog::error(
            "storage: only {} free on the file system of {} (store.min_free_bytes is {}); new cases get "
            "503 storage-full until there is room, accepted ones go on",
            mib(least), where, mib(min_free_bytes_));
    } else if (!low && low_) {
        spdlog::warn("storage: {} free again on {} after {} s; taking new cases again", mib(least), where,
                     (now - low_since_ms_) / 1000);
        low_since_ms_ = 0;
    }
    low_ = low;
    if (full_ && !low) {
        spdlog::warn(
            "storage: room again after {} s ({} write(s) were refused meanwhile and are being made now); "
            "dispatch resumes",
            (now - full_since_ms_) / 1000, refused_);
        full_ = false;
        full_since_ms_ = 0;
        refused_ = 0;
    }
}

void SpaceWatch::report_full(const std::string& what) {
    std::lock_guard lock(mutex_);
    ++refused_;
    reason_ = what;
    checked_ms_ = 0;    // the next question looks at the disk again
    if (full_) return;  // said once per episode, not once per refused write
    full_ = true;
    full_since_ms_ = now_ms();
    ++episodes_;
    spdlog::critical(
        "storage: out of space ({}); new cases get 503 storage-full, dispatch pauses (no case is "
        "failed for it, no attempt is spent) and resumes by itself once {} are free",
        what, mib(min_free_bytes_));
}

void SpaceWatch::report_unavailable(const std::string& what) {
    std::lock_guard lock(mutex_);
    const std::int64_t now = now_ms();
    if (now - unavailable_logged_ms_ < 10000) return;
    unavailable_logged_ms_ = now;
    spdlog::error("store: {}; the write is made again once the database answers (no case is failed for it)", what);
}

bool SpaceWatch::writable() {
    std::lock_guard lock(mutex_);
    if (full_) refresh_locked(now_ms());
    return !full_;
}

bool SpaceWatch::accepting() {
    std::lock_guard lock(mutex_);
    refresh_locked(now_ms());
    return !full_ && !low_;
}

SpaceWatch::State SpaceWatch::state() {
    std::lock_guard lock(mutex_);
    refresh_locked(now_ms());
    State state;
    state.full = full_;
    state.low = low_;
    state.free_bytes = free_bytes_;
    state.since_ms = full_ ? full_since_ms_ : low_since_ms_;
    state.episodes = episodes_;
    state.reason = reason_;
    return state;
}

}  // namespace vikno::gateway
