// The registries besides the civil registry, each through the gateway against its own simulator
// (HTTPS, signed both ways): the samples complete, refusals and faults map to clear outcomes, and
// a plugin left out of the configuration takes its services with it.
#include "harness.h"

#include <gtest/gtest.h>

#include <chrono>

using namespace vikno::testing;

namespace {

std::string key(const std::string& what) {
    return what + "-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

std::vector<std::string> service_codes(Stack& stack) {
    std::vector<std::string> codes;
    const auto services = http(stack.gateway_address, "GET", "/v1/services").json()->getArray("services");
    for (std::size_t i = 0; i < services->size(); ++i) {
        codes.push_back(services->getObject(static_cast<unsigned>(i))->getValue<std::string>("code"));
    }
    return codes;
}

bool has(const std::vector<std::string>& codes, const std::string& code) {
    return std::find(codes.begin(), codes.end(), code) != codes.end();
}

}  // namespace

TEST(RealEstate, BothSamplesCompleteWithObjectsRightsAndEncumbrances) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("real_estate");
    stack.start_gateway();
    EXPECT_TRUE(has(service_codes(stack), "drrp.extract-by-owner"));

    const auto by_number = stack.wait_final(stack.submit("property-by-cadastral-number", key("cad")));
    ASSERT_EQ(by_number->getValue<std::string>("status"), "completed") << by_number->getArray("history")->size();
    const auto object = by_number->getObject("outcome")->getObject("document")->getArray("objects")->getObject(0);
    EXPECT_EQ(object->getArray("rights")->size(), 2U);
    EXPECT_EQ(object->getArray("encumbrances")->getObject(0)->getValue<std::string>("kind"), "mortgage");

    const auto by_owner = stack.wait_final(stack.submit("property-by-owner", key("owner")));
    ASSERT_EQ(by_owner->getValue<std::string>("status"), "completed");
    EXPECT_EQ(by_owner->getObject("outcome")->getObject("document")->getArray("objects")->size(), 2U);

    const auto records = stack.records_of("real_estate");
    ASSERT_EQ(records.size(), 2U);
    for (const auto& record : records) EXPECT_EQ(record->getValue<std::string>("outcome"), "found");
    EXPECT_TRUE(stack.records().empty());  // nothing went to the civil registry
}

TEST(RealEstate, AnOwnerWithNothingRegisteredIsRefusedAndFaultsAreRetried) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("real_estate", {"--malformed-rate", "0.4", "--drop-rate", "0.3", "--seed", "11"});
    stack.start_gateway(R"({"workers": 2, "max_attempts": 30, "backoff_initial_ms": 10, "backoff_max_ms": 20})");
    std::string nobody = sample_case("property-by-owner");
    const std::string owner = R"("owner": {"rnokpp": "3652504575"})";
    nobody.replace(nobody.find(owner), owner.size(), R"("owner": {"rnokpp": "1759013776"})");
    const auto reply = http(stack.gateway_address, "POST", "/v1/cases", nobody,
                            {{"Content-Type", "application/json"}, {"Idempotency-Key", key("nobody")}});
    ASSERT_EQ(reply.status, 202) << reply.body;
    const auto refused = stack.wait_final(reply.json()->getValue<std::string>("id"));
    EXPECT_EQ(refused->getValue<std::string>("status"), "rejected");
    EXPECT_EQ(refused->getObject("outcome")->getValue<std::string>("message_en"),
              "No registered real property rights match the request");
    EXPECT_EQ(stack.wait_final(stack.submit("property-by-cadastral-number", key("cad")))->getValue<std::string>("status"),
              "completed");
    int faults = 0;
    for (const auto& record : stack.records_of("real_estate")) faults += record->getValue<std::string>("fault") != "none";
    EXPECT_GT(faults, 0);
}

TEST(RealEstate, ARegistryThatKeepsFailingFailsTheCaseWithTheReason) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("real_estate", {"--error-rate", "1"});
    stack.start_gateway();
    const auto done = stack.wait_final(stack.submit("property-by-cadastral-number", key("down")));
    EXPECT_EQ(done->getValue<std::string>("status"), "failed");
    EXPECT_NE(done->getObject("outcome")->getValue<std::string>("message_en").find("unavailable"), std::string::npos);
    EXPECT_EQ(stack.records_of("real_estate").size(), 3U);  // max_attempts, all with one message id
}

TEST(RealEstate, LeftOutOfTheConfigItsServicesAreGoneAndNothingElse) {
    Stack stack;
    stack.start_simulator();
    stack.start_gateway();
    const auto codes = service_codes(stack);
    EXPECT_FALSE(has(codes, "drrp.extract-by-cadastral-number"));
    EXPECT_TRUE(has(codes, "drac.birth-extract"));
    const auto reply = http(stack.gateway_address, "POST", "/v1/cases", sample_case("property-by-owner"),
                            {{"Content-Type", "application/json"}, {"Idempotency-Key", key("gone")}});
    EXPECT_EQ(reply.status, 422);
    EXPECT_EQ(reply.json()->getArray("errors")->getObject(0)->getValue<std::string>("field"), "service");
}
