#include "transport/http_transport.h"

#include <gtest/gtest.h>

using namespace vikno;
using namespace vikno::gateway;

TEST(HttpResponse, ParsesContentLengthAndChunkedBodies) {
    RegistryAnswer answer;
    std::string error;
    ASSERT_TRUE(parse_http_response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello", answer, error));
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body, "hello");
    EXPECT_EQ(answer.header("x-a"), "b");
    ASSERT_TRUE(parse_http_response("HTTP/1.1 500 X\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
                                    answer, error));
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
