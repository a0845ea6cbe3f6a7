#include "transport/http_transport.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <gtest/gtest.h>

#include <chrono>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

using namespace vikno;
using namespace vikno::gateway;

TEST(HttpResponse, ParsesContentLengthAndChunkedBodies) {
    RegistryAnswer answer;
    std::string error;
    ASSERT_TRUE(parse_http_response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello", answer, error));
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body, "hello");
    EXPECT_EQ(answer.header("x-a"), "b");
    ASSERT_TRUE(parse_http_response(
        "HTTP/1.1 500 X\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", answer, error));
    EXPECT_EQ(answer.body, "abcde");
}

TEST(HttpResponse, RefusesTruncatedAndForeignBytes) {
    RegistryAnswer answer;
    std::string error;
    EXPECT_FALSE(parse_http_response("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", answer, error));
    EXPECT_NE(error.find("5 of 10"), std::string::npos);
    EXPECT_FALSE(parse_http_response("SSH-2.0-OpenSSH\r\n\r\n", answer, error));
    EXPECT_FALSE(parse_http_response("HTTP/1.1 200 OK\r\nContent-Le", answer, error));
}

TEST(HttpTransport, ConnectionRefusedIsAConnectFailure) {
    const HttpTransport transport(500, 1000);
    Exchange exchange;
    exchange.body = "x";
    // Port 1 on loopback: nothing listens there.
    const auto result = transport.send("http://127.0.0.1:1/", exchange);
    EXPECT_EQ(result.failure, TransportResult::Failure::Connect);
    EXPECT_NE(result.request_bytes.find("Content-Length: 1\r\n"), std::string::npos);
}

namespace {

// A plain HTTP/1.1 registry stand-in on a free loopback port: answers every
// request with `answer`, counts the connections it accepted and, if told,
// closes each connection after one answer without saying so (as a server does
// with an idle keep-alive connection).
class CountingServer {
public:
    CountingServer(std::string answer, bool close_after_answer)
        : answer_(std::move(answer)), close_after_answer_(close_after_answer) {
        socket_.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true, false);
        socket_.listen();
        thread_ = std::thread([this] { serve(); });
    }
    ~CountingServer() {
        stop_ = true;
        thread_.join();
    }
    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(socket_.address().port()) + "/"; }
    int connections() const { return connections_; }

private:
    void serve() {
        std::vector<Poco::Net::StreamSocket> open;
        while (!stop_) {
            if (socket_.poll(Poco::Timespan(0, 10000), Poco::Net::Socket::SELECT_READ)) {
                open.push_back(socket_.acceptConnection());
                ++connections_;
            }
            for (auto it = open.begin(); it != open.end();) {
                char buffer[4096];
                if (!it->poll(Poco::Timespan(0, 1000), Poco::Net::Socket::SELECT_READ)) {
                    ++it;
                    continue;
                }
                const int n = it->receiveBytes(buffer, sizeof buffer);
                if (n <= 0) {
                    it = open.erase(it);
                    continue;
                }
                it->sendBytes(answer_.data(), static_cast<int>(answer_.size()));
                if (close_after_answer_) {
                    it->close();
                    it = open.erase(it);
                } else {
                    ++it;
                }
            }
        }
    }

    std::string answer_;
    bool close_after_answer_;
    Poco::Net::ServerSocket socket_;
    std::atomic<int> connections_{0};
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

Exchange small_request() {
    Exchange exchange;
    exchange.method = "POST";
    exchange.body = "x";
    return exchange;
}

}  // namespace

TEST(HttpTransport, KeepsTheConnectionForTheNextExchange) {
    CountingServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false);
    const HttpTransport transport(500, 2000);
    for (int i = 0; i < 3; ++i) {
        const auto result = transport.send(server.endpoint(), small_request());
        ASSERT_TRUE(result.delivered()) << result.error;
        EXPECT_EQ(result.answer.body, "ok");
        EXPECT_EQ(result.request_bytes.find("Connection: close"), std::string::npos);
    }
    EXPECT_EQ(server.connections(), 1);
    EXPECT_EQ(transport.idle_connections(), 1U);
}

TEST(HttpTransport, AConnectionTheServerClosedMeanwhileIsReplacedOnce) {
    CountingServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true);
    const HttpTransport transport(500, 2000);
    for (int i = 0; i < 3; ++i) {
        const auto result = transport.send(server.endpoint(), small_request());
        ASSERT_TRUE(result.delivered()) << "exchange " << i << ": " << result.error;
        EXPECT_EQ(result.answer.body, "ok");
    }
    EXPECT_EQ(server.connections(),
              3);  // each stale connection cost a new one, not a failure
}

TEST(HttpTransport, AnAnswerThatAsksToCloseIsNotReused) {
    CountingServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", false);
    const HttpTransport transport(500, 2000);
    ASSERT_TRUE(transport.send(server.endpoint(), small_request()).delivered());
    ASSERT_TRUE(transport.send(server.endpoint(), small_request()).delivered());
    EXPECT_EQ(server.connections(), 2);
    EXPECT_EQ(transport.idle_connections(), 0U);
}

// A registry that sends part of its answer and then stalls: the exchange ends at the request
// deadline as a timeout, and the bytes it did send are kept for the exchange record.
TEST(HttpTransport, AStalledAnswerEndsAtTheDeadlineAndKeepsTheBytesRead) {
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n";
    CountingServer server(head + std::string(4096, 'a'), false);
    const HttpTransport transport(500, 300);
    const auto started = std::chrono::steady_clock::now();
    const auto result = transport.send(server.endpoint(), small_request());
    const auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(result.failure, TransportResult::Failure::Timeout);
    EXPECT_EQ(result.response_bytes.size(), head.size() + 4096);
    // Bounded by the deadline, not by the stall (the server never finishes); generous for a noisy machine.
    EXPECT_LT(waited, std::chrono::seconds(5));
    EXPECT_EQ(transport.idle_connections(), 0U);
}

// A registry whose process is stopped (SIGSTOP) still completes TCP connections in the kernel, but
// never does the TLS handshake: the connection attempt ends at the connect timeout, not when the
// registry wakes up.
TEST(HttpTransport, ARegistryThatNeverDoesTheTlsHandshakeEndsAtTheConnectTimeout) {
    Poco::Net::ServerSocket silent;  // listens, never accepts
    silent.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true, false);
    silent.listen();
    std::promise<void> answered;
    std::thread wake([&silent, done = answered.get_future()] {  // without a timeout, the handshake ends only here
        done.wait_for(std::chrono::seconds(8));
        silent.close();
    });
    const Poco::Net::Context::Ptr tls =
        new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_NONE);
    const HttpTransport transport(300, 20000);
    const auto started = std::chrono::steady_clock::now();
    const auto result =
        transport.send("https://127.0.0.1:" + std::to_string(silent.address().port()) + "/", small_request(), tls);
    const auto waited = std::chrono::steady_clock::now() - started;
    answered.set_value();
    wake.join();
    EXPECT_EQ(result.failure, TransportResult::Failure::Connect) << result.error;
    EXPECT_NE(result.error.find("timed out"), std::string::npos) << result.error;
    EXPECT_LT(waited, std::chrono::seconds(4));
}
