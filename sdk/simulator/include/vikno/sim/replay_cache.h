#pragma once
// What a registry does with a message id it has seen: the same request (same content) gets the
// same answer again; another request under a used id is refused. Bounded, thread-safe.

#include <vikno/sim/simulator.h>

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace vikno::sim {

class ReplayCache {
public:
    enum class Seen { New, Same, Different };

    explicit ReplayCache(std::size_t capacity = 200000) : capacity_(capacity) {}

    /// Whether `message_id` was answered before, and if so whether for the same `content_hash`;
    /// for Same, `answer` is the earlier answer.
    Seen lookup(const std::string& message_id, const std::string& content_hash, Response& answer);
    void remember(const std::string& message_id, const std::string& content_hash, const Response& answer);

private:
    struct Entry {
        std::string content_hash;
        Response answer;
    };
    std::size_t capacity_;
    std::mutex mutex_;
    std::map<std::string, Entry> entries_;
    std::deque<std::string> order_;  // oldest first
};

}  // namespace vikno::sim
