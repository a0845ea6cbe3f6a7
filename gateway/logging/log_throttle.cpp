#include "logging/log_throttle.h"

#include <spdlog/spdlog.h>

namespace vikno::gateway {

bool LogThrottle::allow(const std::string& what, std::uint64_t& held_back) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    Seen& seen = seen_[what];
    if (seen.last != std::chrono::steady_clock::time_point{} && now - seen.last < interval_) {
        ++seen.held_back;
        return false;
    }
    held_back = seen.held_back;
    seen.held_back = 0;
    seen.last = now;
    return true;
}

void log_error_throttled(LogThrottle& throttle, const std::string& what, const std::string& line) {
    std::uint64_t held_back = 0;
    if (!throttle.allow(what, held_back)) return;
    if (held_back == 0) {
        spdlog::error("{}", line);
    } else {
        spdlog::error("{} ({} similar lines held back)", line, held_back);
    }
}

}  // namespace vikno::gateway
