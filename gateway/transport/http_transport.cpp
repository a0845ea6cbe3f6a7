#include "transport/http_transport.h"

#include "transport/connection_pool.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>

#include <chrono>
#include <cstdint>
#include <optional>

namespace vikno::gateway {
namespace {

constexpr std::size_t kMaxResponseBytes = 16U * 1024U * 1024U;

using Clock = std::chrono::steady_clock;

std::string join_path(const std::string& base, const std::string& path) {
    std::string joined = base.empty() ? "/" : base;
    if (path.empty()) return joined;
    // Exactly one slash between them; popping may empty `joined` ("/" + "/x"), so nothing reads it after.
    if (joined.back() == '/' && path.front() == '/') {
        joined.pop_back();
    } else if (joined.back() != '/' && path.front() != '/') {
        joined += '/';
    }
    return joined + path;
}

std::string request_bytes(const Poco::URI& uri, const Exchange& exchange) {
    std::string out = exchange.method + " " + join_path(uri.getPathEtc(), exchange.path) + " HTTP/1.1\r\n";
    out += "Host: " + uri.getHost() + ":" + std::to_string(uri.getPort()) + "\r\n";
    if (!exchange.content_type.empty()) out += "Content-Type: " + exchange.content_type + "\r\n";
    out += "Content-Length: " + std::to_string(exchange.body.size()) + "\r\n";
    for (const auto& [name, value] : exchange.headers) out += name + ": " + value + "\r\n";
    out += "\r\n";  // HTTP/1.1 keeps the connection open for the next exchange
    out += exchange.body;
    return out;
}

// Decodes a chunked body; nullopt while incomplete or malformed.
std::optional<std::string> dechunk(const std::string& raw, std::size_t start) {
    std::string body;
    std::size_t pos = start;
    while (true) {
        const auto line_end = raw.find("\r\n", pos);
        if (line_end == std::string::npos) return std::nullopt;
        std::string size_text = raw.substr(pos, line_end - pos);
        if (auto semicolon = size_text.find(';'); semicolon != std::string::npos) size_text.resize(semicolon);
        Poco::UInt64 size = 0;
        if (!Poco::NumberParser::tryParseHex64(Poco::trim(size_text), size)) return std::nullopt;
        pos = line_end + 2;
        if (size == 0) return body;
        if (raw.size() < pos + size + 2) return std::nullopt;
        body.append(raw, pos, size);
        pos += size + 2;
    }
}

// Where the headers end, or npos.
std::size_t header_end(const std::string& raw) { return raw.find("\r\n\r\n"); }

// The status line and headers, and how the body is framed.
struct Head {
    int status = 0;
    Headers headers;
    std::optional<std::size_t> content_length;
    bool chunked = false;
    std::size_t body_start = 0;
};

bool parse_head(const std::string& bytes, Head& head, std::string& error) {
    const auto end = header_end(bytes);
    if (end == std::string::npos) {
        error = "the answer ended inside its headers";
        return false;
    }
    const auto status_end = bytes.find("\r\n");
    const std::string status_line = bytes.substr(0, status_end);
    if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12) {
        error = "the answer does not start with an HTTP/1.x status line";
        return false;
    }
    if (!Poco::NumberParser::tryParse(status_line.substr(9, 3), head.status)) {
        error = "the answer's status code is not a number";
        return false;
    }
    std::size_t pos = status_end + 2;
    while (pos < end) {
        const auto line_end = bytes.find("\r\n", pos);
        const std::string line = bytes.substr(pos, line_end - pos);
        pos = line_end + 2;
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = Poco::trim(line.substr(0, colon));
        std::string value = Poco::trim(line.substr(colon + 1));
        if (Poco::icompare(name, "Content-Length") == 0) {
            Poco::UInt64 length = 0;
            if (!Poco::NumberParser::tryParseUnsigned64(value, length)) {
                error = "the answer's Content-Length is not a number";
                return false;
            }
            head.content_length = static_cast<std::size_t>(length);
        } else if (Poco::icompare(name, "Transfer-Encoding") == 0 &&
                   Poco::toLower(value).find("chunked") != std::string::npos) {
            head.chunked = true;
        }
        head.headers.emplace_back(std::move(name), std::move(value));
    }
    head.body_start = end + 4;
    return true;
}

// True once `raw` holds the whole body its head announces. An answer framed by
// closing the connection is complete only at end of stream, which the caller
// sees for itself.
bool body_complete(const Head& head, const std::string& raw) {
    if (head.content_length) return raw.size() >= head.body_start + *head.content_length;
    // The last chunk and the trailer end with an empty line; only then is
    // decoding worth trying.
    return head.chunked && raw.size() >= head.body_start + 5 && raw.ends_with("\r\n\r\n") &&
           dechunk(raw, head.body_start).has_value();
}

}  // namespace

namespace {

// The answer from a parsed head and the bytes it heads: the body by its framing.
bool decode_answer(const std::string& bytes, Head head, RegistryAnswer& answer, std::string& error) {
    answer.status = head.status;
    answer.headers = std::move(head.headers);
    if (head.chunked) {
        auto body = dechunk(bytes, head.body_start);
        if (!body) {
            error = "the answer's chunked body is incomplete";
            return false;
        }
        answer.body = std::move(*body);
    } else if (head.content_length) {
        if (bytes.size() < head.body_start + *head.content_length) {
            error = "the answer ended after " + std::to_string(bytes.size() - head.body_start) + " of " +
                    std::to_string(*head.content_length) + " body bytes";
            return false;
        }
        answer.body = bytes.substr(head.body_start, *head.content_length);
    } else {
        answer.body = bytes.substr(head.body_start);
    }
    return true;
}

// Whether the connection may carry the next exchange: the answer was framed by its length (so
// nothing of it is left unread, and nothing else came) and the server did not ask to close.
bool keeps_alive(const Head& head, std::size_t bytes_read) {
    for (const auto& [name, value] : head.headers) {
        if (Poco::icompare(name, "Connection") == 0 && Poco::toLower(value).find("close") != std::string::npos) {
            return false;
        }
    }
    if (head.content_length) return bytes_read == head.body_start + *head.content_length;
    return head.chunked;  // body_complete stopped reading exactly at the last chunk's empty line
}

}  // namespace

bool parse_http_response(const std::string& bytes, RegistryAnswer& answer, std::string& error) {
    Head head;
    if (!parse_head(bytes, head, error)) return false;
    return decode_answer(bytes, std::move(head), answer, error);
}

HttpTransport::HttpTransport(int connect_timeout_ms, int request_timeout_ms)
    : connect_timeout_ms_(connect_timeout_ms),
      request_timeout_ms_(request_timeout_ms),
      pool_(std::make_unique<ConnectionPool>(std::chrono::seconds(5), 64)) {}

HttpTransport::~HttpTransport() = default;

std::size_t HttpTransport::idle_connections() const { return pool_->idle(); }

std::string target_uri(const std::string& endpoint, const std::string& path) {
    const Poco::URI uri(endpoint);
    return uri.getScheme() + "://" + uri.getAuthority() + join_path(uri.getPathEtc(), path);
}

namespace {

// Opens a connection (TLS handshake included); on failure fills `result` and
// returns nullopt.
std::optional<Poco::Net::StreamSocket> connect(const Poco::URI& uri, const Poco::Net::Context::Ptr& tls,
                                               int connect_timeout_ms, TransportResult& result) {
    try {
        const Poco::Net::SocketAddress address(uri.getHost(), uri.getPort());
        const Poco::Timespan connect_timeout(static_cast<long>(connect_timeout_ms) * 1000);
        if (uri.getScheme() == "https") {
            Poco::Net::SecureStreamSocket secure_socket(tls);
            secure_socket.setPeerHostName(uri.getHost());
            secure_socket.setLazyHandshake(true);
            secure_socket.connect(address, connect_timeout);
            // A registry that is stopped or overloaded still completes TCP connections in its kernel
            // but never answers the handshake: the connect timeout bounds the handshake too.
            secure_socket.setReceiveTimeout(connect_timeout);
            secure_socket.setSendTimeout(connect_timeout);
            secure_socket.completeHandshake();
            return Poco::Net::StreamSocket(secure_socket);
        }
        Poco::Net::StreamSocket socket;
        socket.connect(address, connect_timeout);
        return socket;
    } catch (const Poco::Net::SSLException& e) {
        result.failure = TransportResult::Failure::Tls;
        result.error = "TLS with " + uri.getAuthority() + " refused: " + e.displayText() +
                       " (is the registry's certificate issued by the configured tls_ca, for this host?)";
    } catch (const Poco::TimeoutException&) {
        result.failure = TransportResult::Failure::Connect;
        result.error = "connect to " + uri.getAuthority() + " timed out";
    } catch (const Poco::Exception& e) {
        result.failure = TransportResult::Failure::Connect;
        result.error = "cannot connect to " + uri.getAuthority() + ": " + e.displayText();
    }
    return std::nullopt;
}

}  // namespace

// Writes the request and reads one complete answer. An idle pooled connection
// that the server has meanwhile closed fails before any byte of an answer
// arrives; then the request goes once more on a new connection. Sending it
// again is safe: it carries the same X-Road message id, by which the registry
// recognises a repeat (docs/architecture.md, "reliability in short").
TransportResult HttpTransport::send(const std::string& endpoint, const Exchange& exchange,
                                    const Poco::Net::Context::Ptr& tls) const {
    TransportResult result;
    const Poco::URI uri(endpoint);
    result.request_bytes = request_bytes(uri, exchange);
    const auto deadline = Clock::now() + std::chrono::milliseconds(request_timeout_ms_);
    const bool secure = uri.getScheme() == "https";
    if (secure && tls.isNull()) {
        result.failure = TransportResult::Failure::Tls;
        result.error = "no TLS context for " + uri.getAuthority();
        return result;
    }
    const std::string pool_key = uri.getScheme() + "://" + uri.getAuthority() + "#" +
                                 std::to_string(reinterpret_cast<std::uintptr_t>(tls.get()));
    for (int attempt = 0;; ++attempt) {
        std::optional<Poco::Net::StreamSocket> socket;
        const bool reused = attempt == 0 && (socket = pool_->take(pool_key)).has_value();
        if (!reused) {
            socket = connect(uri, tls, connect_timeout_ms_, result);
            if (!socket) return result;
        }
        result.response_bytes.clear();
        const bool keep_alive = read_answer(*socket, uri, deadline, result);
        if (!result.delivered() && reused && result.response_bytes.empty() &&
            result.failure != TransportResult::Failure::Timeout) {
            result.failure = TransportResult::Failure::None;
            result.error.clear();
            continue;
        }
        if (result.delivered() && keep_alive) pool_->give(pool_key, std::move(*socket));
        return result;
    }
}

bool HttpTransport::read_answer(Poco::Net::StreamSocket& socket, const Poco::URI& uri,
                                std::chrono::steady_clock::time_point deadline, TransportResult& result) const {
    std::optional<Head> head;  // parsed once, when the headers have arrived
    try {
        socket.setNoDelay(true);
        // Writing counts against the same deadline as reading: a registry that stops reading stalls us no longer.
        const auto send_left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
        if (send_left <= 0) throw Poco::TimeoutException("deadline");
        socket.setSendTimeout(Poco::Timespan(send_left));
        socket.sendBytes(result.request_bytes.data(), static_cast<int>(result.request_bytes.size()));
        char buffer[16384];
        while (true) {
            const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
            if (left <= 0) throw Poco::TimeoutException("deadline");
            socket.setReceiveTimeout(Poco::Timespan(left));
            const int n = socket.receiveBytes(buffer, sizeof buffer);
            if (n <= 0) break;
            result.response_bytes.append(buffer, static_cast<std::size_t>(n));
            if (result.response_bytes.size() > kMaxResponseBytes) {
                result.failure = TransportResult::Failure::Protocol;
                result.error = "the answer is larger than " + std::to_string(kMaxResponseBytes) + " bytes";
                return false;
            }
            if (!head && header_end(result.response_bytes) != std::string::npos) {
                Head parsed;
                std::string ignored;  // a bad head is reported by the final parse below
                if (!parse_head(result.response_bytes, parsed, ignored)) break;
                head = std::move(parsed);
            }
            if (head && body_complete(*head, result.response_bytes)) break;
        }
    } catch (const Poco::TimeoutException&) {
        result.failure = TransportResult::Failure::Timeout;
        result.error =
            "no complete answer from " + uri.getAuthority() + " within " + std::to_string(request_timeout_ms_) + " ms";
        return false;
    } catch (const Poco::Exception& e) {
        result.failure = TransportResult::Failure::Io;
        result.error = "connection to " + uri.getAuthority() + " failed: " + e.displayText();
        return false;
    }
    if (result.response_bytes.empty()) {
        result.failure = TransportResult::Failure::Io;
        result.error = uri.getAuthority() + " closed the connection without an answer";
        return false;
    }
    // The head read on the way decodes the answer; without one, the full parse says what is wrong.
    std::string error;
    const bool keep_alive = head && keeps_alive(*head, result.response_bytes.size());
    const bool decoded = head ? decode_answer(result.response_bytes, std::move(*head), result.answer, error)
                              : parse_http_response(result.response_bytes, result.answer, error);
    if (!decoded) {
        result.failure = TransportResult::Failure::Protocol;
        result.error = error;
        return false;
    }
    return keep_alive;
}

}  // namespace vikno::gateway
