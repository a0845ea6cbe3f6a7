#include "transport/connection_pool.h"

namespace vikno::gateway {

ConnectionPool::ConnectionPool(std::chrono::milliseconds max_idle, std::size_t max_per_key)
    : max_idle_(max_idle), max_per_key_(max_per_key) {}

std::optional<Poco::Net::StreamSocket> ConnectionPool::take(const std::string& key) {
    std::vector<Idle> stale;  // closed outside the lock
    std::optional<Poco::Net::StreamSocket> found;
    {
        const std::lock_guard lock(mutex_);
        auto it = idle_.find(key);
        if (it == idle_.end()) return std::nullopt;
        auto& list = it->second;
        const auto now = Clock::now();
        while (!list.empty()) {
            Idle last = std::move(list.back());
            list.pop_back();
            if (now - last.since <= max_idle_) {
                found = std::move(last.socket);
                break;
            }
            stale.push_back(std::move(last));
        }
    }
    for (auto& old : stale) {
        try {
            old.socket.close();
        } catch (const Poco::Exception&) {  // already gone: nothing to release
        }
    }
    return found;
}

void ConnectionPool::give(const std::string& key, Poco::Net::StreamSocket socket) {
    const std::lock_guard lock(mutex_);
    auto& list = idle_[key];
    if (list.size() >= max_per_key_) return;  // the socket closes as it goes out of scope
    list.push_back({std::move(socket), Clock::now()});
}

std::size_t ConnectionPool::idle() const {
    const std::lock_guard lock(mutex_);
    std::size_t count = 0;
    for (const auto& [key, list] : idle_) count += list.size();
    return count;
}

}  // namespace vikno::gateway
