// End to end over HTTP, with the simulator and the gateway as real processes.
#include "harness.h"

#include <vikno/soap.h>
#include <vikno/xml.h>
#include <vikno/xml_schema.h>

#include <Poco/String.h>

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <thread>

using namespace vikno::testing;

namespace {

std::string key() { return "it-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()); }

const vikno::xml::Schema& xroad_schema() {
    static const vikno::xml::Schema schema = [] {
        auto s = vikno::xml::Schema::load(std::string(VIKNO_XROAD_SCHEMA_DIR) + "/soap11-envelope.xsd");
        if (!s) throw std::runtime_error(s.error().message);
        return std::move(s).value();
    }();
    return schema;
}

}  // namespace

TEST(GatewayFlow, EverySampleCompletesAndTheRegistryGotAValidXRoadMessage) {
    Stack stack;
    stack.start_simulator();
    stack.start_gateway();
    for (const std::string sample :
         {"birth-extract", "birth-extract-by-certificate", "marriage-extract", "death-extract"}) {
        const std::string id = stack.submit(sample, key());
        const auto done = stack.wait_final(id);
        EXPECT_EQ(done->getValue<std::string>("status"), "completed") << sample;
        const auto outcome = done->getObject("outcome");
        ASSERT_TRUE(outcome) << sample;
        EXPECT_EQ(outcome->getValue<std::string>("registry_reference").rfind("ДРАЦС-", 0), 0U);
        EXPECT_TRUE(outcome->getObject("document"));
    }
    const auto records = stack.records();
    ASSERT_EQ(records.size(), 4U);
    for (std::size_t i = 0; i < records.size(); ++i) {
        auto parsed = vikno::xml::parse(stack.record_body(static_cast<int>(i + 1)));
        ASSERT_TRUE(parsed.ok());
        auto valid = xroad_schema().validate(parsed.value());
        EXPECT_TRUE(valid.ok()) << valid.error().message;
        auto header = vikno::soap::read_header(parsed.value());
        ASSERT_TRUE(header.ok());
        EXPECT_EQ(header.value().protocol_version, "4.0");
        EXPECT_EQ(header.value().client.member_code, "12345678");
        EXPECT_EQ(records[i]->getValue<std::string>("outcome"), "found");
    }
    const auto services = http(stack.gateway_address, "GET", "/v1/services").json()->getArray("services");
    EXPECT_EQ(services->size(), 3U);
    const std::string metrics = http(stack.gateway_address, "GET", "/metrics").body;
    EXPECT_NE(metrics.find("vikno_cases{status=\"completed\"} 4"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("vikno_registry_exchange_seconds_count{registry=\"civil_registry\"} 4"), std::string::npos);
}

TEST(GatewayFlow, UnknownPersonIsRejectedWithAMessageInBothLanguages) {
    Stack stack;
    stack.start_simulator();
    stack.start_gateway();
    std::string body = sample_case("death-extract");
    body.replace(body.find("\"Петро\""), std::string("\"Петро\"").size(), "\"Павло\"");
    const auto reply = http(stack.gateway_address, "POST", "/v1/cases", body,
                            {{"Content-Type", "application/json"}, {"Idempotency-Key", key()}}, "office-kyiv");
    ASSERT_EQ(reply.status, 202);
    const auto id = reply.json()->getValue<std::string>("id");
    stack.track(id, "office-kyiv");
    const auto done_case = stack.wait_final(id);
    EXPECT_EQ(done_case->getValue<std::string>("status"), "rejected");
    EXPECT_EQ(done_case->getObject("outcome")->getValue<std::string>("message_en"), "No death record found");
}

TEST(GatewayFlow, RegistryFaultsAreRetriedThenTheCaseFailsWithTheReason) {
    Stack stack;
    stack.start_simulator({"--error-rate", "1"});
    stack.start_gateway();
    const auto done = stack.wait_final(stack.submit("birth-extract", key()));
    EXPECT_EQ(done->getValue<std::string>("status"), "failed");
    const auto history = done->getArray("history");
    const auto last = history->getObject(history->size() - 1);
    EXPECT_NE(last->getValue<std::string>("note").find("gave up after 3 attempts: SOAP fault soap:Server"),
              std::string::npos);
    // Every attempt carried the same X-Road message id.
    const auto records = stack.records();
    ASSERT_EQ(records.size(), 3U);
}

TEST(GatewayFlow, ARegistryThatRecoversCompletesTheCase) {
    Stack stack;
    stack.start_simulator({"--error-rate", "1"});
    stack.start_gateway(R"({"workers": 1, "max_attempts": 50, "backoff_initial_ms": 50, "backoff_max_ms": 100})");
    const std::string id = stack.submit("marriage-extract", key());
    while (stack.records().size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_EQ(http(stack.simulator_address, "PUT", "/__sim/faults", R"({"error_rate": 0})", {}, "gateway-tls").status,
              204);
    EXPECT_EQ(stack.wait_final(id)->getValue<std::string>("status"), "completed");
    for (const auto& record : stack.records()) {
        EXPECT_EQ(record->getValue<std::string>("message_id"), stack.records()[0]->getValue<std::string>("message_id"));
    }
}

TEST(GatewayFlow, MalformedAnswersAndDroppedConnectionsAreRetried) {
    Stack stack;
    stack.start_simulator({"--malformed-rate", "0.5", "--drop-rate", "0.3", "--seed", "7"});
    stack.start_gateway(R"({"workers": 2, "max_attempts": 30, "backoff_initial_ms": 10, "backoff_max_ms": 20})");
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(stack.submit("death-extract", key() + std::to_string(i)));
    for (const auto& id : ids) EXPECT_EQ(stack.wait_final(id)->getValue<std::string>("status"), "completed");
    int faults = 0;
    for (const auto& record : stack.records()) faults += record->getValue<std::string>("fault") != "none";
    EXPECT_GT(faults, 0);
}

TEST(Api, IdempotentSubmitReplaysAndAnotherBodyConflicts) {
    Stack stack;
    stack.start_simulator();
    stack.start_gateway();
    const std::string k = key();
    const std::map<std::string, std::string> headers{{"Content-Type", "application/json"}, {"Idempotency-Key", k}};
    const auto first = http(stack.gateway_address, "POST", "/v1/cases", sample_case("birth-extract"), headers);
    ASSERT_EQ(first.status, 202);
    EXPECT_EQ(first.headers.at("Location"), "/v1/cases/" + first.json()->getValue<std::string>("id"));
    const auto again = http(stack.gateway_address, "POST", "/v1/cases", sample_case("birth-extract"), headers);
    EXPECT_EQ(again.status, 202);
    EXPECT_EQ(again.json()->getValue<std::string>("id"), first.json()->getValue<std::string>("id"));
    EXPECT_EQ(again.headers.at("Idempotent-Replayed"), "true");
    const auto other = http(stack.gateway_address, "POST", "/v1/cases", sample_case("birth-extract-by-certificate"),
                            {{"Content-Type", "application/json"}, {"Idempotency-Key", k}}, "office-kharkiv");
    // Another office: the key space is per office, so this is a new case.
    EXPECT_EQ(other.status, 202);
    std::string changed = sample_case("birth-extract");
    changed.replace(changed.find("operator-17"), 11, "operator-18");
    const auto conflict = http(stack.gateway_address, "POST", "/v1/cases", changed, headers);
    EXPECT_EQ(conflict.status, 409);
    EXPECT_EQ(conflict.content_type, "application/problem+json");
    stack.wait_final(first.json()->getValue<std::string>("id"));
    ASSERT_EQ(http(stack.gateway_address, "GET", "/v1/cases/" + other.json()->getValue<std::string>("id")).status, 404)
        << "one office must not read another office's case";
    for (int i = 0; i < 200 && stack.records().size() < 2; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    EXPECT_EQ(stack.records().size(), 2U);  // one registry request per case
}

TEST(Api, ErrorsAreProblemJsonWithFieldPaths) {
    Stack stack;
    stack.start_simulator();
    stack.start_gateway();
    const auto& gw = stack.gateway_address;
    std::string bad = sample_case("birth-extract");
    bad.replace(bad.find("3652504575"), 10, "3652504576");
    auto reply = http(gw, "POST", "/v1/cases", bad, {{"Content-Type", "application/json"}, {"Idempotency-Key", key()}});
    EXPECT_EQ(reply.status, 422);
    EXPECT_EQ(reply.content_type, "application/problem+json");
    EXPECT_EQ(reply.json()->getArray("errors")->getObject(0)->getValue<std::string>("field"), "applicant.rnokpp");

    std::string unknown_service = sample_case("birth-extract");
    unknown_service.replace(unknown_service.find("drac.birth-extract"), 18, "drac.divorce");
    reply = http(gw, "POST", "/v1/cases", unknown_service,
                 {{"Content-Type", "application/json"}, {"Idempotency-Key", key()}});
    EXPECT_EQ(reply.status, 422);
    EXPECT_EQ(reply.json()->getArray("errors")->getObject(0)->getValue<std::string>("field"), "service");

    std::string no_child = sample_case("birth-extract");
    no_child.replace(no_child.find("\"child\""), 7, "\"kid\"");
    reply = http(gw, "POST", "/v1/cases", no_child, {{"Content-Type", "application/json"}, {"Idempotency-Key", key()}});
    EXPECT_EQ(reply.status, 422);
    EXPECT_EQ(reply.json()->getArray("errors")->getObject(0)->getValue<std::string>("field"), "subject");

    reply = http(gw, "POST", "/v1/cases", sample_case("birth-extract"), {{"Content-Type", "application/json"}});
    EXPECT_EQ(reply.status, 400);
    EXPECT_EQ(reply.json()->getArray("errors")->getObject(0)->getValue<std::string>("field"), "header:Idempotency-Key");

    EXPECT_EQ(http(gw, "POST", "/v1/cases", "x", {{"Content-Type", "text/plain"}, {"Idempotency-Key", key()}}).status,
              415);
    EXPECT_EQ(http(gw, "GET", "/v1/cases/no-such-case").status, 404);
    EXPECT_EQ(http(gw, "DELETE", "/v1/services").status, 405);
    EXPECT_EQ(http(gw, "GET", "/healthz").status, 200);
    EXPECT_EQ(stack.records().size(), 0U);  // nothing invalid reached the registry
}

TEST(Logs, PersonalDataIsMaskedInOperationalLogs) {
    Stack stack;
    stack.start_simulator();
    stack.start_gateway();
    stack.wait_final(stack.submit("birth-extract", key()));
    const std::string log = read_file(stack.gateway_log);
    ASSERT_NE(log.find("accepted for drac.birth-extract"), std::string::npos) << log;
    for (const char* secret : {"3652504575", "Коваленко", "Олена", "1994-06-21", "2024-03-01", "001234567"}) {
        EXPECT_EQ(log.find(secret), std::string::npos) << secret << " appears in the operational log";
    }
}

TEST(Overload, BeyondTheBacklogSubmissionsAreRefusedQuicklyWithRetryAfter) {
    Stack stack;
    stack.start_simulator();
    stack.stop_simulator();  // the registry is down: accepted cases pile up
    stack.max_backlog = 3;
    stack.start_gateway(R"({"workers": 1, "max_attempts": 100, "backoff_initial_ms": 1000, "backoff_max_ms": 2000,
                            "connect_timeout_ms": 100})",
                        "");
    std::vector<int> statuses;
    for (int i = 0; i < 4; ++i) {
        const auto reply = http(stack.gateway_address, "POST", "/v1/cases", sample_case("birth-extract"),
                                {{"Content-Type", "application/json"}, {"Idempotency-Key", key() + std::to_string(i)}});
        statuses.push_back(reply.status);
        if (reply.status == 503) {
            EXPECT_EQ(reply.headers.at("Retry-After"), "30");
            EXPECT_EQ(reply.json()->getValue<std::string>("type"), "urn:vikno:problem:overloaded");
        }
    }
    EXPECT_EQ(statuses, (std::vector<int>{202, 202, 202, 503}));
}

// Every early answer of the API leaves the connection fit for the next request (the unread body is
// not parsed as one), and its status line's reason matches its code.
TEST(KeepAlive, AnEarlyAnswerLeavesTheConnectionUsable) {
    Stack stack;
    stack.start_simulator();
    stack.stop_simulator();  // accepted cases stay in the backlog
    stack.max_backlog = 1;
    stack.start_gateway(R"({"workers": 1, "max_attempts": 100, "backoff_initial_ms": 1000, "backoff_max_ms": 2000,
                            "connect_timeout_ms": 100})",
                        "");
    const std::string body = sample_case("birth-extract");
    HttpConnection connection(stack.gateway_address);
    struct Early {
        std::map<std::string, std::string> headers;
        std::string body;
        int status;
        std::string reason;
    };
    const std::vector<Early> early{
        {{{"Content-Type", "text/plain"}, {"Idempotency-Key", key()}}, body, 415, "Unsupported Media Type"},
        {{{"Content-Type", "application/json"}}, body, 400, "Bad Request"},
    };
    for (const auto& e : early) {
        const auto reply = connection.send("POST", "/v1/cases", e.body, e.headers);
        EXPECT_EQ(reply.status, e.status);
        EXPECT_EQ(reply.reason, e.reason);
        EXPECT_EQ(connection.send("GET", "/v1/services").status, 200) << "after " << e.status;
    }
    // A body over the limit is not read to its end, so that answer closes the connection, and says so.
    const auto too_large = http(stack.gateway_address, "POST", "/v1/cases", std::string((1 << 20) + 1, 'x'),
                                {{"Content-Type", "application/json"}, {"Idempotency-Key", key()}});
    EXPECT_EQ(too_large.status, 413);
    EXPECT_EQ(too_large.reason, "Request Entity Too Large");
    EXPECT_EQ(Poco::toLower(too_large.headers.at("Connection")), "close");
    // Filling the backlog, then an overload answer: the next request on the connection still works.
    EXPECT_EQ(
        connection.send("POST", "/v1/cases", body, {{"Content-Type", "application/json"}, {"Idempotency-Key", key()}})
            .status,
        202);
    const auto overloaded =
        connection.send("POST", "/v1/cases", body, {{"Content-Type", "application/json"}, {"Idempotency-Key", key()}});
    EXPECT_EQ(overloaded.status, 503);
    EXPECT_EQ(overloaded.reason, "Service Unavailable");
    EXPECT_EQ(connection.send("GET", "/v1/services").status, 200);
    // Office mismatch (403) after the body was read.
    std::string other = body;
    other.replace(other.find("vinnytsia"), 9, "kharkivxx");
    const auto mismatch =
        connection.send("POST", "/v1/cases", other, {{"Content-Type", "application/json"}, {"Idempotency-Key", key()}});
    EXPECT_GE(mismatch.status, 400);
    EXPECT_EQ(connection.send("GET", "/v1/services").status, 200);
}

// The scrubber masks personal data in the log, not the gateway's own certificate facts.
TEST(Logging, TheSigningCertificatesExpiryIsLoggedUnmasked) {
    Stack stack;
    stack.start_simulator();
    stack.start_gateway();
    std::ifstream in(stack.gateway_log);
    const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = log.find("certificate valid until ");
    ASSERT_NE(at, std::string::npos) << log;
    const std::string expiry = log.substr(at + 24, 11);
    EXPECT_EQ(expiry.find('*'), std::string::npos) << expiry;
    EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(expiry[0]))) << expiry;
}
