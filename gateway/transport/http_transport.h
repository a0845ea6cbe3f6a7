#pragma once
// Sends an Exchange to a registry over HTTP/1.1 and keeps the exact bytes
// written and read, for the exchange record and the audit log. Connections are
// kept alive and reused (ConnectionPool).

#include <vikno/exchange.h>

#include <Poco/Net/Context.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>

#include <chrono>
#include <memory>
#include <string>

namespace vikno::gateway {

struct TransportResult {
    enum class Failure { None, Connect, Tls, Timeout, Io, Protocol };

    Failure failure = Failure::None;
    std::string error;           ///< what went wrong, for history and logs (no personal data)
    RegistryAnswer answer;       ///< valid when failure == None
    std::string request_bytes;   ///< exactly what was written
    std::string response_bytes;  ///< exactly what was read (possibly partial on failure)

    bool delivered() const { return failure == Failure::None; }
};

class ConnectionPool;

/// Thread-safe: the dispatcher's workers share one transport and its idle
/// connections.
class HttpTransport {
public:
    HttpTransport(int connect_timeout_ms, int request_timeout_ms);
    ~HttpTransport();
    HttpTransport(const HttpTransport&) = delete;
    HttpTransport& operator=(const HttpTransport&) = delete;

    /// `endpoint` is the registry's base URL (https://host:port/base);
    /// `exchange.path` is appended. For https, `tls` verifies the server's
    /// certificate (registry CA, host name) and presents the gateway's client
    /// certificate; a failed check is Failure::Tls with the reason.
    TransportResult send(const std::string& endpoint, const Exchange& exchange,
                         const Poco::Net::Context::Ptr& tls = nullptr) const;

    /// Idle keep-alive connections, for tests.
    std::size_t idle_connections() const;

private:
    /// Sends the request bytes and reads one answer into `result`; true when the connection may be
    /// kept for the next exchange.
    bool read_answer(Poco::Net::StreamSocket& socket, const Poco::URI& uri,
                     std::chrono::steady_clock::time_point deadline, TransportResult& result) const;

    int connect_timeout_ms_;
    int request_timeout_ms_;
    std::unique_ptr<ConnectionPool> pool_;
};

/// The absolute URI an exchange goes to: the endpoint's scheme and authority,
/// its path joined with `path`.
std::string target_uri(const std::string& endpoint, const std::string& path);

/// Parses a complete HTTP/1.1 response (status line, headers, body with
/// Content-Length or chunked encoding). Returns false with `error` set when the
/// bytes are not one.
bool parse_http_response(const std::string& bytes, RegistryAnswer& answer, std::string& error);

}  // namespace vikno::gateway
