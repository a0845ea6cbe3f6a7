#pragma once
// A circuit breaker per registry. After `threshold` consecutive failures (no answer, or the
// registry's own "unavailable") the registry is open: cases wait instead of hammering it. When the
// cooldown ends one case is let through as a probe (half-open); its answer closes the breaker or
// opens it again with a doubled cooldown (up to `max_cooldown_ms`). Thread-safe.

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace vikno::gateway {

class Breakers {
public:
    enum class State { Closed, Open, HalfOpen };

    /// A state the breaker entered, and when (the console's availability history).
    struct Change {
        std::int64_t at_ms = 0;
        State state = State::Closed;
    };
    /// Changes kept per registry; older ones are dropped.
    static constexpr std::size_t kHistory = 100;

    struct Status {
        std::string registry;
        State state = State::Closed;
        int consecutive_failures = 0;
        std::int64_t retry_at_ms = 0;  ///< when an open breaker lets a probe through
        std::int64_t opened_total = 0;
        std::deque<Change> history;  ///< oldest first, since this gateway started
    };

    Breakers(int threshold, std::int64_t cooldown_ms, std::int64_t max_cooldown_ms)
        : threshold_(threshold), cooldown_ms_(cooldown_ms), max_cooldown_ms_(max_cooldown_ms) {}

    /// 0 when a request may go to `registry` now (claiming the probe when half-open), otherwise the
    /// time to try again.
    std::int64_t admit(const std::string& registry, std::int64_t now_ms);
    void success(const std::string& registry);
    void failure(const std::string& registry, std::int64_t now_ms);

    std::vector<Status> statuses() const;
    static const char* name(State state);

private:
    struct Entry {
        Status status;
        std::int64_t cooldown_ms = 0;
        bool probe_out = false;
    };
    Entry& entry(const std::string& registry);
    static void enter(Entry& e, State state, std::int64_t now_ms);

    int threshold_;
    std::int64_t cooldown_ms_;
    std::int64_t max_cooldown_ms_;
    mutable std::mutex mutex_;
    std::map<std::string, Entry> entries_;
};

}  // namespace vikno::gateway
