// Faults that must not lose a case (issue "Faults that must not lose a case"): a registry that
// stops answering, a disk that fills up. Each test compares figures measured in the same run.
#include "harness.h"

#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>

#include <csignal>
#include <map>
#include <thread>

using namespace vikno::testing;

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t ms_since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// Exchanges the gateway has in flight with `registry` (GET /v1/registries).
int in_flight(Stack& stack, const std::string& registry) {
    const auto list = http(stack.gateway_address, "GET", "/v1/registries").json()->getArray("registries");
    for (std::size_t i = 0; i < list->size(); ++i) {
        if (list->getObject(i)->getValue<std::string>("name") == registry) {
            return list->getObject(i)->getValue<int>("in_flight");
        }
    }
    return -1;
}

// Submits `n` cases of `sample` at once and waits until all are final; how long that took.
std::int64_t complete_batch(Stack& stack, const std::string& sample, int n, const std::string& tag) {
    const auto start = Clock::now();
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) ids.push_back(stack.submit(sample, unique_key(tag + std::to_string(i))));
    for (const auto& id : ids) EXPECT_EQ(stack.wait_final(id)->getValue<std::string>("status"), "completed") << id;
    return ms_since(start);
}

}  // namespace

TEST(Faults, AStalledRegistryHoldsOnlyItsOwnSlotsWhileAnotherKeepsItsRate) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("real_estate");
    // Four workers, at most two per registry; a breaker that would not open during the test, so
    // that only the slots keep the stalled registry from holding every worker.
    stack.start_gateway(R"({"workers": 4, "registry_max_in_flight": 2, "max_attempts": 100,
        "backoff_initial_ms": 50, "backoff_max_ms": 200, "connect_timeout_ms": 500, "request_timeout_ms": 3000,
        "breaker_failures": 1000})");
    const std::int64_t normal = complete_batch(stack, "property-by-cadastral-number", 16, "before-stall");

    ASSERT_EQ(::kill(stack.simulator_pid(), SIGSTOP), 0);
    std::vector<std::string> stalled;
    for (int i = 0; i < 8; ++i) stalled.push_back(stack.submit("birth-extract", unique_key("stalled")));
    for (int i = 0; i < 200 && in_flight(stack, "civil_registry") < 2; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(in_flight(stack, "civil_registry"), 2);  // every slot it may have, and no more
    const std::int64_t during = complete_batch(stack, "property-by-cadastral-number", 16, "during-stall");
    EXPECT_LE(in_flight(stack, "civil_registry"), 2);
    ASSERT_EQ(::kill(stack.simulator_pid(), SIGCONT), 0);

    // Without a limit the stalled registry holds all four workers for its 3 s deadline at a time.
    EXPECT_LT(during, std::max<std::int64_t>(normal * 5 / 2, normal + 1500))
        << "16 real estate cases took " << during << " ms with the civil registry stopped, " << normal << " ms before";
    for (const auto& id : stalled) {
        EXPECT_EQ(stack.wait_final(id, std::chrono::seconds(40))->getValue<std::string>("status"), "completed");
    }
    // The stalled attempts ended at their deadline and were retried under each case's one message
    // id: the registry did each request once and answered the others as replays.
    std::map<std::string, int> done_per_message;
    for (const auto& record : stack.records()) {
        if (!record->getValue<bool>("replay")) ++done_per_message[record->getValue<std::string>("message_id")];
    }
    EXPECT_EQ(done_per_message.size(), stalled.size());
    for (const auto& [message_id, done] : done_per_message) EXPECT_EQ(done, 1) << message_id;
}
