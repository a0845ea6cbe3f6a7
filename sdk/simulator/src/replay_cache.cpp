#include <vikno/sim/replay_cache.h>

namespace vikno::sim {

ReplayCache::Seen ReplayCache::lookup(const std::string& message_id, const std::string& content_hash,
                                      Response& answer) {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(message_id);
    if (it == entries_.end()) return Seen::New;
    if (it->second.content_hash != content_hash) return Seen::Different;
    answer = it->second.answer;
    return Seen::Same;
}

void ReplayCache::remember(const std::string& message_id, const std::string& content_hash, const Response& answer) {
    std::lock_guard lock(mutex_);
    if (!entries_.emplace(message_id, Entry{content_hash, answer}).second) return;
    order_.push_back(message_id);
    if (order_.size() > capacity_) {
        entries_.erase(order_.front());
        order_.pop_front();
    }
}

}  // namespace vikno::sim
