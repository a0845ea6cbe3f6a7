// Case events to the CNAP back-end: a test receiver (HTTPS, requiring the gateway's client
// certificate) verifies every event's RFC 9421 signature with the gateway's pinned certificate,
// and the tests check that every status change arrives, at least once, in order per case, also
// when the receiver refuses for a while and when the gateway is killed.

#include "harness.h"

#include <vikno/http_signature.h>
#include <vikno/signing.h>

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/StreamCopier.h>

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace vikno::testing;

namespace {

struct ReceivedEvent {
    std::string event_id;
    std::int64_t seq = 0;
    std::string case_id;
    std::string step;  // empty for the case itself
    std::string status;
    std::string signature_error;  // empty: verified
};

class CallbackReceiver {
public:
    explicit CallbackReceiver(int refuse_first = 0) : refuse_left_(refuse_first) {
        Poco::Net::Context::Params params;
        params.certificateFile = pki("cnap-backend-tls.crt");
        params.privateKeyFile = pki("cnap-backend-tls.key");
        params.caLocation = pki("ca-chain.crt");  // the gateway's client certificate chains to it
        params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
        params.loadDefaultCAs = false;
        const Poco::Net::Context::Ptr tls(new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params));
        Poco::Net::SecureServerSocket socket(tls);
        socket.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true, false);
        socket.listen();
        port_ = socket.address().port();
        auto pinned = vikno::crypto::Certificate::load_pem_file(pki("gateway-signing.crt"));
        if (!pinned) throw std::runtime_error("cannot load the gateway's signing certificate");
        pinned_ = std::make_unique<vikno::crypto::Certificate>(std::move(pinned).value());
        server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, new Poco::Net::HTTPServerParams);
        server_->start();
    }
    ~CallbackReceiver() { server_->stopAll(true); }

    std::string url(const std::string& path = "/cnap/events") const {
        return "https://127.0.0.1:" + std::to_string(port_) + path;
    }
    void refuse(int count) { refuse_left_ = count; }
    std::vector<ReceivedEvent> events() const {
        const std::lock_guard lock(mutex_);
        return events_;
    }
    /// Waits until every case in `cases` has had its `final_status` event delivered.
    bool wait_for_final(const std::set<std::string>& cases, const std::string& final_status,
                        std::chrono::seconds timeout = std::chrono::seconds(30)) const {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            std::set<std::string> done;
            for (const auto& event : events()) {
                if (event.status == final_status) done.insert(event.case_id);
            }
            if (std::includes(done.begin(), done.end(), cases.begin(), cases.end())) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }

private:
    class Handler final : public Poco::Net::HTTPRequestHandler {
    public:
        explicit Handler(CallbackReceiver& receiver) : receiver_(receiver) {}
        void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
            vikno::httpsig::HttpMessage message;
            message.method = request.getMethod();
            message.target_uri = "https://127.0.0.1:" + std::to_string(receiver_.port_) + request.getURI();
            for (const auto& [name, value] : request) message.headers.emplace_back(name, value);
            Poco::StreamCopier::copyToString(request.stream(), message.body);
            if (receiver_.refuse_left_.fetch_sub(1) > 0) {
                response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
                response.setContentLength(0);
                response.send();
                return;
            }
            ReceivedEvent event;
            const auto verified = vikno::httpsig::verify(message, *receiver_.pinned_, std::time(nullptr));
            if (!verified) event.signature_error = verified.error().code + ": " + verified.error().message;
            Poco::JSON::Parser parser;
            const auto json = parser.parse(message.body).extract<Poco::JSON::Object::Ptr>();
            event.event_id = json->getValue<std::string>("event_id");
            event.seq = json->getValue<std::int64_t>("seq");
            event.case_id = json->getValue<std::string>("case_id");
            event.status = json->getValue<std::string>("status");
            if (json->has("step") && !json->get("step").isEmpty()) event.step = json->getValue<std::string>("step");
            {
                const std::lock_guard lock(receiver_.mutex_);
                receiver_.events_.push_back(event);
            }
            response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
            response.setContentLength(0);
            response.send();
        }

    private:
        CallbackReceiver& receiver_;
    };
    class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
    public:
        explicit Factory(CallbackReceiver& receiver) : receiver_(receiver) {}
        Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
            return new Handler(receiver_);
        }

    private:
        CallbackReceiver& receiver_;
    };

    std::uint16_t port_ = 0;
    std::atomic<int> refuse_left_;
    std::unique_ptr<vikno::crypto::Certificate> pinned_;
    mutable std::mutex mutex_;
    std::vector<ReceivedEvent> events_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

// Per case: every event verified; the statuses' first appearances follow the case's history order;
// seq never goes back (a repeat after a crash repeats the last event, it never jumps behind).
void expect_ordered_and_signed(const std::vector<ReceivedEvent>& events, const std::set<std::string>& cases) {
    std::map<std::string, std::vector<ReceivedEvent>> by_case;
    for (const auto& event : events) {
        EXPECT_EQ(event.signature_error, "") << "event " << event.seq;
        by_case[event.case_id].push_back(event);
    }
    for (const auto& id : cases) {
        const auto& list = by_case[id];
        ASSERT_FALSE(list.empty()) << "no event for case " << id;
        std::vector<std::string> statuses;
        std::set<std::string> ids;
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (i > 0) {
                EXPECT_GE(list[i].seq, list[i - 1].seq) << "case " << id << " events out of order";
            }
            if (ids.insert(list[i].event_id).second) statuses.push_back(list[i].status);
        }
        EXPECT_EQ(statuses.front(), "received");
        EXPECT_EQ(statuses.at(1), "queued");
        EXPECT_EQ(statuses.back(), "completed");
        EXPECT_NE(std::find(statuses.begin(), statuses.end(), "sending"), statuses.end());
    }
}

std::int64_t pending_events(const Stack& stack) {
    const HttpReply metrics = http(stack.gateway_address, "GET", "/metrics");
    const std::string sample = "\nvikno_callback_events_pending ";
    const auto at = metrics.body.find(sample);
    return at == std::string::npos ? -1 : std::stoll(metrics.body.substr(at + sample.size()));
}

}  // namespace

TEST(Callbacks, EveryStatusChangeArrivesSignedAndInOrder) {
    CallbackReceiver receiver;
    Stack stack;
    stack.callback_url = receiver.url();
    stack.start_simulator();
    stack.start_gateway();
    std::set<std::string> cases;
    for (int i = 0; i < 5; ++i) cases.insert(stack.submit("birth-extract", "cb-" + std::to_string(i)));
    for (const auto& id : cases) EXPECT_EQ(stack.wait_final(id)->getValue<std::string>("status"), "completed");
    ASSERT_TRUE(receiver.wait_for_final(cases, "completed"));
    const auto events = receiver.events();
    expect_ordered_and_signed(events, cases);
    EXPECT_EQ(events.size(), cases.size() * 4);  // received, queued, sending, completed; each once
    for (int i = 0; i < 50 && pending_events(stack) != 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(pending_events(stack), 0);
}

TEST(Callbacks, AReceiverThatRefusesForAWhileGetsEveryEventLater) {
    CallbackReceiver receiver(12);  // the first twelve deliveries are answered 503
    Stack stack;
    stack.callback_url = receiver.url();
    stack.start_simulator();
    stack.start_gateway();
    std::set<std::string> cases;
    for (int i = 0; i < 4; ++i) cases.insert(stack.submit("birth-extract", "cb-refused-" + std::to_string(i)));
    ASSERT_TRUE(receiver.wait_for_final(cases, "completed"));
    expect_ordered_and_signed(receiver.events(), cases);
    EXPECT_NE(read_file(stack.gateway_log).find("not delivered (attempt 1): answered 503"), std::string::npos);
}

TEST(Callbacks, EventsOutliveKillNineOfTheGateway) {
    CallbackReceiver receiver(1000000);  // down while the cases run and the gateway dies
    Stack stack;
    stack.callback_url = receiver.url();
    stack.start_simulator();
    stack.start_gateway();
    std::set<std::string> cases;
    for (int i = 0; i < 6; ++i) cases.insert(stack.submit("birth-extract", "cb-kill-" + std::to_string(i)));
    for (const auto& id : cases) stack.wait_final(id);
    stack.kill_gateway();
    stack.start_gateway();
    receiver.refuse(0);
    // Killed again while delivering: what was delivered but not yet marked is delivered again.
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    stack.kill_gateway();
    stack.start_gateway();
    ASSERT_TRUE(receiver.wait_for_final(cases, "completed"));
    expect_ordered_and_signed(receiver.events(), cases);
}

TEST(Callbacks, ACaseMayNameItsOwnUrlOnlyOnAnAllowedHost) {
    CallbackReceiver receiver;
    Stack stack;
    stack.callback_url = receiver.url();
    stack.start_simulator();
    stack.start_gateway();
    const auto with_url = [](const std::string& url) {
        std::string body = sample_case("birth-extract");
        body.insert(body.rfind('}'), R"(, "callback_url": ")" + url + R"(")");
        return body;
    };
    const HttpReply refused = http(stack.gateway_address, "POST", "/v1/cases", with_url("https://cnap.example/events"),
                                   {{"Content-Type", "application/json"}, {"Idempotency-Key", "cb-host-1"}});
    EXPECT_EQ(refused.status, 422);
    EXPECT_NE(refused.body.find("callback_url"), std::string::npos);
    EXPECT_NE(refused.body.find("callback_hosts"), std::string::npos);

    const HttpReply accepted = http(stack.gateway_address, "POST", "/v1/cases", with_url(receiver.url("/other")),
                                    {{"Content-Type", "application/json"}, {"Idempotency-Key", "cb-host-2"}});
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const std::string id = accepted.json()->getValue<std::string>("id");
    ASSERT_TRUE(receiver.wait_for_final({id}, "completed"));
}

TEST(Callbacks, ALifeSituationReportsItselfAndEveryStepUnderItsOwnCaseId) {
    CallbackReceiver receiver;
    Stack stack;
    stack.callback_url = receiver.url();
    stack.situations_dir = std::string(VIKNO_SOURCE_DIR) + "/config/situations";
    stack.start_simulator();
    stack.start_registry("demographic_registry");  // every plugin the definitions name must be loaded
    stack.start_registry("business");
    stack.start_registry("tax_registry");
    stack.start_registry("igov");
    stack.start_gateway();
    const std::string id = stack.submit("situation-fop-registration", "cb-situation");
    ASSERT_EQ(stack.wait_final(id, std::chrono::seconds(30))->getValue<std::string>("status"), "completed");
    std::vector<ReceivedEvent> own;
    for (int i = 0; i < 200; ++i) {
        own.clear();
        for (const auto& event : receiver.events()) {
            if (event.step.empty() && event.status == "completed") own.push_back(event);
        }
        if (!own.empty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_EQ(own.size(), 1U);
    const auto events = receiver.events();
    std::map<std::string, std::vector<std::string>> by_step;
    std::int64_t last = 0;
    for (const auto& event : events) {
        EXPECT_EQ(event.case_id, id);  // steps report under the situation
        EXPECT_EQ(event.signature_error, "");
        EXPECT_GE(event.seq, last);
        last = event.seq;
        by_step[event.step].push_back(event.status);
    }
    for (const std::string step : {"edr", "tax", "notice"}) {
        ASSERT_FALSE(by_step[step].empty()) << step;
        EXPECT_EQ(by_step[step].front(), "received") << step;
        EXPECT_EQ(by_step[step].back(), "completed") << step;
    }
    EXPECT_EQ(by_step[""].front(), "received");
    EXPECT_EQ(by_step[""].back(), "completed");
}
