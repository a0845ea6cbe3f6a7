// Life situations end to end: one application, several registries through their simulators. The
// simulators' records show the dependent steps in order, carrying fields from earlier outcomes; a
// registry down for a while delays its step; an optional step that is refused gives a partial
// completion; a situation can be cancelled while steps wait; a bad definition stops the start.

#include "harness.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

using namespace vikno::testing;

namespace {

void start_emalyatko_registries(Stack& stack, const std::vector<std::string>& demographic_options = {}) {
    stack.situations_dir = std::string(VIKNO_SOURCE_DIR) + "/config/situations";
    stack.start_simulator();
    stack.start_registry("demographic_registry", demographic_options);
    stack.start_registry("tax_registry");
    stack.start_registry("igov");
    stack.start_registry("business");
    stack.start_gateway(R"({"workers": 4, "max_attempts": 50, "backoff_initial_ms": 50, "backoff_max_ms": 100})");
}

std::map<std::string, Poco::JSON::Object::Ptr> steps_of(const Poco::JSON::Object::Ptr& situation) {
    std::map<std::string, Poco::JSON::Object::Ptr> steps;
    const auto list = situation->getArray("steps");
    for (std::size_t i = 0; list && i < list->size(); ++i) {
        const auto step = list->getObject(static_cast<unsigned>(i));
        steps[step->getValue<std::string>("id")] = step;
    }
    return steps;
}

std::string submit_with(Stack& stack, const std::string& body, const std::string& idempotency_key) {
    const HttpReply reply = http(stack.gateway_address, "POST", "/v1/cases", body,
                                 {{"Content-Type", "application/json"}, {"Idempotency-Key", idempotency_key}});
    if (reply.status != 202)
        throw std::runtime_error("submit answered " + std::to_string(reply.status) + ": " + reply.body);
    return reply.json()->getValue<std::string>("id");
}

}  // namespace

TEST(Situations, EMalyatkoRunsItsStepsInOrderWithFieldsFromEarlierOutcomes) {
    Stack stack;
    start_emalyatko_registries(stack);
    const auto situation =
        stack.wait_final(stack.submit("situation-emalyatko", unique_key("emalyatko")), std::chrono::seconds(40));
    ASSERT_EQ(situation->getValue<std::string>("status"), "completed")
        << situation->getObject("outcome")->getValue<std::string>("message_en");
    auto steps = steps_of(situation);
    ASSERT_EQ(steps.size(), 7U);
    for (const auto& [id, step] : steps) EXPECT_EQ(step->getValue<std::string>("status"), "completed") << id;

    // The birth record came first; its act number went to ЄДДР; ЄДДР's УНЗР went to the tax register.
    const auto civil = stack.records();
    const auto demographic = stack.records_of("demographic_registry");
    const auto tax = stack.records_of("tax_registry");
    ASSERT_EQ(civil.size(), 2U);  // the birth record and the parents' marriage record
    ASSERT_EQ(demographic.size(), 1U);
    ASSERT_EQ(tax.size(), 1U);
    EXPECT_EQ(stack.records_of("igov").size(), 3U);  // residence, birth assistance, large family (3 children)
    std::string birth_at;
    for (const auto& record : civil) {
        if (record->getValue<std::string>("outcome") == "found" && birth_at.empty()) {
            birth_at = record->getValue<std::string>("at");
        }
    }
    EXPECT_LT(birth_at, demographic[0]->getValue<std::string>("at"));
    EXPECT_LT(demographic[0]->getValue<std::string>("at"), tax[0]->getValue<std::string>("at"));
    EXPECT_NE(stack.record_body_of("demographic_registry", 1).find("<eddr:ActNumber>1207</eddr:ActNumber>"),
              std::string::npos);
    const auto unzr_case = stack.wait_final(steps["unzr"]->getValue<std::string>("case_id"));
    const std::string unzr = unzr_case->getObject("outcome")->getValue<std::string>("registry_reference");
    EXPECT_EQ(unzr.rfind("20240301-", 0), 0U);
    EXPECT_NE(stack.record_body_of("tax_registry", 1).find("\"unzr\":\"" + unzr + "\""), std::string::npos);

    // The outcome lists every step with its registry reference.
    const auto document = situation->getObject("outcome")->getObject("document");
    ASSERT_EQ(document->getArray("steps")->size(), 7U);
}

TEST(Situations, ARegistryDownForAWhileDelaysItsStepAndTheSituationStillCompletes) {
    Stack stack;
    start_emalyatko_registries(stack, {"--error-rate", "1"});
    const std::string id = stack.submit("situation-emalyatko", unique_key("emalyatko-down"));
    // ЄДДР answers every request with a server error until it is told otherwise.
    while (stack.records_of("demographic_registry").size() < 3)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto waiting = http(stack.gateway_address, "GET", "/v1/cases/" + id).json();
    EXPECT_EQ(waiting->getValue<std::string>("status"), "sending");
    auto steps = steps_of(waiting);
    EXPECT_EQ(steps["birth"]->getValue<std::string>("status"), "completed");
    EXPECT_EQ(steps["rnokpp"]->getValue<std::string>("status"), "pending");  // it needs the УНЗР
    EXPECT_TRUE(stack.records_of("tax_registry").empty());
    ASSERT_EQ(http(stack.registries_address("demographic_registry"), "PUT", "/__sim/faults", R"({"error_rate": 0})", {},
                   "gateway-tls")
                  .status,
              204);
    const auto situation = stack.wait_final(id, std::chrono::seconds(40));
    EXPECT_EQ(situation->getValue<std::string>("status"), "completed");
}

TEST(Situations, AnOptionalStepRefusedGivesAPartialCompletionThatSaysWhy) {
    Stack stack;
    start_emalyatko_registries(stack);
    // Богдан's mother has no marriage record: the origin step is refused; one child only: no
    // large-family step.
    std::string body = sample_case("situation-emalyatko");
    auto replace = [&](const std::string& from, const std::string& to) {
        body.replace(body.find(from), from.size(), to);
    };
    replace(
        R"("last_name": "Коваленко", "first_name": "Марія", "patronymic": "Олександрівна", "birth_date": "2024-03-01")",
        R"("last_name": "Шевчук", "first_name": "Богдан", "patronymic": "Андрійович", "birth_date": "2019-08-24")");
    replace(R"("mother_rnokpp": "3652504575")", R"("mother_rnokpp": "5260181590")");
    replace(R"("children_count": 3)", R"("children_count": 1)");
    const auto situation = stack.wait_final(submit_with(stack, body, unique_key("partial")), std::chrono::seconds(40));
    ASSERT_EQ(situation->getValue<std::string>("status"), "partly_completed");
    auto steps = steps_of(situation);
    EXPECT_EQ(steps["origin"]->getValue<std::string>("status"), "rejected");
    EXPECT_EQ(steps["large_family"]->getValue<std::string>("status"), "not_applicable");
    EXPECT_EQ(steps["rnokpp"]->getValue<std::string>("status"), "completed");
    const std::string message = situation->getObject("outcome")->getValue<std::string>("message_en");
    EXPECT_NE(message.find("origin (No marriage record found)"), std::string::npos) << message;
}

TEST(Situations, TheSoleTraderSituationRegistersThenTakesOnTheTaxRegisterThenNotifies) {
    Stack stack;
    start_emalyatko_registries(stack);
    const auto situation =
        stack.wait_final(stack.submit("situation-fop-registration", unique_key("fop")), std::chrono::seconds(40));
    ASSERT_EQ(situation->getValue<std::string>("status"), "completed");
    auto steps = steps_of(situation);
    const auto edr = stack.wait_final(steps["edr"]->getValue<std::string>("case_id"));
    const std::string record = edr->getObject("outcome")->getValue<std::string>("registry_reference");
    ASSERT_FALSE(record.empty());
    EXPECT_NE(stack.record_body_of("tax_registry", 1).find("\"edrRecordNumber\":\"" + record + "\""),
              std::string::npos);
    EXPECT_LT(stack.records_of("business")[0]->getValue<std::string>("at"),
              stack.records_of("tax_registry")[0]->getValue<std::string>("at"));
    EXPECT_LT(stack.records_of("tax_registry")[0]->getValue<std::string>("at"),
              stack.records_of("igov")[0]->getValue<std::string>("at"));
}

TEST(Situations, ASituationCanBeCancelledWhileStepsWait) {
    Stack stack;
    start_emalyatko_registries(stack, {"--error-rate", "1"});
    const std::string id = stack.submit("situation-emalyatko", unique_key("cancel"));
    while (stack.records_of("demographic_registry").size() < 2)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const HttpReply cancel = http(stack.gateway_address, "POST", "/v1/cases/" + id + "/cancel");
    ASSERT_EQ(cancel.status, 202) << cancel.body;
    const auto situation = stack.wait_final(id, std::chrono::seconds(40));
    EXPECT_EQ(situation->getValue<std::string>("status"), "cancelled");
    auto steps = steps_of(situation);
    EXPECT_EQ(steps["birth"]->getValue<std::string>("status"), "completed");
    EXPECT_EQ(steps["unzr"]->getValue<std::string>("status"), "cancelled");
    EXPECT_EQ(steps["rnokpp"]->getValue<std::string>("status"), "cancelled");
    EXPECT_TRUE(stack.records_of("tax_registry").empty());
    EXPECT_EQ(http(stack.gateway_address, "POST", "/v1/cases/" + id + "/cancel").status, 409);
}

TEST(Situations, ADefinitionWithACycleOrAnUnknownServiceStopsTheStart) {
    Stack stack;
    const std::string folder = stack.dir + "/situations";
    std::filesystem::create_directories(folder);
    stack.situations_dir = folder;
    stack.start_simulator();
    std::ofstream(folder + "/cycle.json") << R"({"code": "situation.loop", "title_uk": "к", "title_en": "loop",
      "application": {"required": ["x"]},
      "steps": [{"id": "a", "service": "drac.birth-extract", "after": ["b"]},
                {"id": "b", "service": "drac.death-extract", "after": ["a"]}]})";
    auto result = run_vikno({"serve", "--config", stack.write_gateway_config()}, stack.dir);
    EXPECT_EQ(result.code, 2);
    EXPECT_NE(result.output.find("cycle.json: steps: a cycle: a -> b -> a"), std::string::npos) << result.output;

    std::ofstream(folder + "/cycle.json") << R"({"code": "situation.x", "title_uk": "к", "title_en": "x",
      "steps": [{"id": "a", "service": "drac.no-such-service"}]})";
    result = run_vikno({"serve", "--config", stack.write_gateway_config()}, stack.dir);
    EXPECT_EQ(result.code, 2);
    EXPECT_NE(result.output.find("cycle.json: steps[0].service: 'drac.no-such-service' is not offered"),
              std::string::npos)
        << result.output;
}

TEST(Situations, AGatewayKilledMidwayResumesTheSituationAndSendsNoStepTwice) {
    Stack stack;
    start_emalyatko_registries(stack, {"--latency-ms", "150"});  // ЄДДР is slow: the kill falls mid-situation
    const std::string id = stack.submit("situation-emalyatko", unique_key("emalyatko-kill"));
    while (stack.records_of("demographic_registry").empty() && stack.records().size() < 2) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stack.kill_gateway();
    stack.start_gateway(R"({"workers": 4, "max_attempts": 50, "backoff_initial_ms": 50, "backoff_max_ms": 100})");
    const auto situation = stack.wait_final(id, std::chrono::seconds(40));
    ASSERT_EQ(situation->getValue<std::string>("status"), "completed");
    // Each step reached its registry under one message id: a repeat after the kill is the same
    // message (the registry answers it from its replay cache), never a second request.
    for (const std::string registry : {"demographic_registry", "tax_registry", "igov"}) {
        std::set<std::string> ids;
        for (const auto& record : stack.records_of(registry)) ids.insert(record->getValue<std::string>("message_id"));
        EXPECT_EQ(ids.size(), registry == "igov" ? 3U : 1U) << registry;
    }
}
