#pragma once
// Idle keep-alive connections to registries, reused by the next exchange with
// the same registry. A new mutual-TLS connection costs both sides a full
// handshake (ECDHE, two certificate chains, two signatures): measured, it was
// two thirds of a registry simulator's CPU per case when every exchange had its
// own connection (docs/performance.md, "Load").

#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace vikno::gateway {

class ConnectionPool {
public:
    /// Connections idle longer than `max_idle` are closed rather than reused: a
    /// server closes idle keep-alive connections on its own (POCO after 10 s),
    /// and a reused dead one costs a retry. At most `max_per_key` idle
    /// connections are kept per registry.
    ConnectionPool(std::chrono::milliseconds max_idle, std::size_t max_per_key);

    /// The most recently used idle connection for `key` (scheme, authority and
    /// TLS identity), if any.
    std::optional<Poco::Net::StreamSocket> take(const std::string& key);
    /// Gives back a connection whose last answer was read completely and did not
    /// ask to close.
    void give(const std::string& key, Poco::Net::StreamSocket socket);
    std::size_t idle() const;

private:
    using Clock = std::chrono::steady_clock;
    struct Idle {
        Poco::Net::StreamSocket socket;
        Clock::time_point since;
    };
    std::chrono::milliseconds max_idle_;
    std::size_t max_per_key_;
    mutable std::mutex mutex_;
    std::map<std::string, std::vector<Idle>> idle_;
};

}  // namespace vikno::gateway
