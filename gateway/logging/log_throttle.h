#pragma once
// Repeated error lines, held to one per interval. A loop that meets the same fault on every pass
// (a store that cannot be read, a full disk) once wrote thousands of lines a second: the log filled
// the disk it was complaining about and buried the first, useful line.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace vikno::gateway {

class LogThrottle {
public:
    explicit LogThrottle(std::chrono::milliseconds interval = std::chrono::seconds(10)) : interval_(interval) {}

    /// Whether a line about `what` may be written now: the first one is, then one per interval.
    /// `held_back` is set to the lines of `what` not written since the last one that was.
    bool allow(const std::string& what, std::uint64_t& held_back);

private:
    struct Seen {
        std::chrono::steady_clock::time_point last{};
        std::uint64_t held_back = 0;
    };
    std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::map<std::string, Seen> seen_;
};

/// Writes `line` at error level unless a line about `what` was written less than an interval ago;
/// the next line written says how many were held back.
void log_error_throttled(LogThrottle& throttle, const std::string& what, const std::string& line);

}  // namespace vikno::gateway
