#include "dispatch/breaker.h"

#include "common/clock.h"

#include <algorithm>

namespace vikno::gateway {

Breakers::Entry& Breakers::entry(const std::string& registry) {
    auto& e = entries_[registry];
    if (e.status.registry.empty()) {
        e.status.registry = registry;
        e.cooldown_ms = cooldown_ms_;
        e.status.history.push_back({gateway::now_ms(), State::Closed});
    }
    return e;
}

void Breakers::enter(Entry& e, State state, std::int64_t now_ms) {
    if (e.status.state == state) return;
    e.status.state = state;
    e.status.history.push_back({now_ms, state});
    if (e.status.history.size() > kHistory) e.status.history.pop_front();
}

std::int64_t Breakers::admit(const std::string& registry, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    Entry& e = entry(registry);
    switch (e.status.state) {
        case State::Closed:
            return 0;
        case State::Open:
            if (now_ms < e.status.retry_at_ms) return e.status.retry_at_ms;
            enter(e, State::HalfOpen, now_ms);
            e.probe_out = true;
            return 0;
        case State::HalfOpen:
            if (!e.probe_out) {
                e.probe_out = true;
                return 0;
            }
            return now_ms + std::max<std::int64_t>(cooldown_ms_ / 4, 50);  // wait for the probe's answer
    }
    return 0;
}

void Breakers::success(const std::string& registry) {
    std::lock_guard lock(mutex_);
    Entry& e = entry(registry);
    if (e.status.state != State::Closed) enter(e, State::Closed, now_ms());
    e.status.consecutive_failures = 0;
    e.cooldown_ms = cooldown_ms_;
    e.probe_out = false;
}

void Breakers::failure(const std::string& registry, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    Entry& e = entry(registry);
    ++e.status.consecutive_failures;
    if (e.status.state == State::HalfOpen) {
        e.cooldown_ms = std::min(e.cooldown_ms * 2, max_cooldown_ms_);  // the probe failed: wait longer
    } else if (e.status.state == State::Closed && e.status.consecutive_failures < threshold_) {
        return;
    } else if (e.status.state == State::Open) {
        return;
    }
    enter(e, State::Open, now_ms);
    e.status.retry_at_ms = now_ms + e.cooldown_ms;
    ++e.status.opened_total;
    e.probe_out = false;
}

std::vector<Breakers::Status> Breakers::statuses() const {
    std::lock_guard lock(mutex_);
    std::vector<Status> out;
    for (const auto& [name, e] : entries_) out.push_back(e.status);
    return out;
}

const char* Breakers::name(State state) {
    switch (state) {
        case State::Closed:
            return "closed";
        case State::Open:
            return "open";
        case State::HalfOpen:
            return "half_open";
    }
    return "closed";
}

}  // namespace vikno::gateway
