// Order ids and their check digits, golden requests, field checks, and interpretation of every
// kind of answer the portal gives.
#include "../src/interpreter.h"
#include "../src/order_id.h"
#include "../src/translator.h"

#include <vikno/plugin_testing.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

using namespace vikno;
using namespace vikno::igov;

namespace {

Case sample(const std::string& name) {
    return plugin_testing::sample_case(std::string(VIKNO_SOURCE_DIR) + "/config/samples", name);
}

using plugin_testing::kContext;

RegistryAnswer json_answer(int status, const std::string& body) {
    return {status, {{"Content-Type", "application/json"}}, body};
}

using plugin_testing::sent;

}  // namespace

TEST(OrderId, LuhnDigitAndParsing) {
    EXPECT_EQ(luhn_digit("100042"), '1');
    EXPECT_EQ(luhn_digit("7992739871"), '3');  // the textbook example
    EXPECT_EQ((OrderId{3, "100042"}.text()), "3-1000421");
    ASSERT_TRUE(parse_order_id("3-1000421"));
    EXPECT_EQ(parse_order_id("3-1000421")->process, "100042");
    EXPECT_FALSE(parse_order_id("3-1000422"));  // one wrong digit
    EXPECT_FALSE(parse_order_id("3-0001240"));  // two digits swapped (100042 -> 000124 is another number)
    EXPECT_FALSE(parse_order_id("1000421"));
    EXPECT_FALSE(parse_order_id("x-1000421"));
}

TEST(OrderId, OnlyThePortalsTransitions) {
    EXPECT_TRUE(transition_allowed("created", "opened"));
    EXPECT_TRUE(transition_allowed("in_progress", "closed-rejected"));
    EXPECT_FALSE(transition_allowed("created", "closed"));
    EXPECT_FALSE(transition_allowed("closed", "opened"));
    EXPECT_TRUE(is_status("documents_requested"));
    EXPECT_FALSE(is_status("done"));
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, TranslationMatchesTheGoldenRequest) {
    const Case c = sample(GetParam());
    ASSERT_TRUE(validate_case(c).empty());
    auto exchange = translate_case(c, kContext, default_settings());
    ASSERT_TRUE(exchange.ok()) << exchange.error().message;
    const Exchange& e = exchange.value();
    const std::string text =
        e.method + " " + e.path + "\n" + find_header(e.headers, "X-Road-Client") + "\n" + e.body + "\n";
    const std::string golden_path = std::string(IGOV_DIR) + "/tests/golden/" + GetParam() + ".txt";
    EXPECT_EQ(text, plugin_testing::golden(golden_path, text)) << "run with VIKNO_UPDATE_GOLDEN=1 to accept a change";
    EXPECT_EQ(find_header(e.headers, "X-Road-Id"), "msg-0001");
    EXPECT_EQ(find_header(e.headers, "X-Road-UserId"), "operator-17");
}

INSTANTIATE_TEST_SUITE_P(Samples, Golden, ::testing::Values("igov-create-order", "igov-push-status"),
                         [](const auto& info) {
                             std::string name = info.param;
                             for (auto& ch : name)
                                 if (ch == '-') ch = '_';
                             return name;
                         });

TEST(Validation, NamesTheWrongFields) {
    Case push = sample("igov-push-status");
    push.subject->set("order_id", "3-1000422");
    push.subject->set("status", "done");
    auto errors = validate_case(push);
    ASSERT_EQ(errors.size(), 2U);
    EXPECT_EQ(errors[0].field, "subject.order_id");
    EXPECT_EQ(errors[1].field, "subject.status");

    Case create = sample("igov-create-order");
    create.applicant.rnokpp.clear();
    create.subject->set("portal_service_id", "14a5");
    errors = validate_case(create);
    ASSERT_EQ(errors.size(), 2U);
    EXPECT_EQ(errors[0].field, "applicant.rnokpp");
    EXPECT_EQ(errors[1].field, "subject.portal_service_id");
}

TEST(Interpretation, CreatedAndChangedOrdersComplete) {
    const auto created = interpret_answer(
        sample("igov-create-order"), sent(),
        json_answer(201, R"({"nID_Server":3,"nID_Protected":"2000008","sID_Order":"3-2000008","sStatus":"created"})"));
    EXPECT_EQ(created.verdict, Verdict::Completed);
    EXPECT_EQ(created.outcome.registry_reference, "3-2000008");
    Exchange push = sent();
    push.path = "/r1/SEVDEIR-TEST/GOV/00015622/IGOV/orders/3-1000421/status";
    const auto changed = interpret_answer(
        sample("igov-push-status"), push,
        json_answer(200, R"({"sID_Order":"3-1000421","sStatus":"opened","sStatusPrevious":"created"})"));
    EXPECT_EQ(changed.verdict, Verdict::Completed);
    EXPECT_EQ(plugin_testing::document(changed.outcome)->getValue<std::string>("previous_status"), "created");
    // A (signed, bound) answer that reports another order does not complete this one.
    const auto other = interpret_answer(
        sample("igov-push-status"), push,
        json_answer(200, R"({"sID_Order":"3-1000439","sStatus":"opened","sStatusPrevious":"created"})"));
    EXPECT_EQ(other.verdict, Verdict::Failed);
    EXPECT_EQ(other.reason.rfind("order_mismatch", 0), 0U) << other.reason;
}

TEST(Interpretation, RefusalsFaultsAndMalformedAnswers) {
    const Case push = sample("igov-push-status");
    const auto refused = interpret_answer(
        push, sent(),
        json_answer(
            409,
            R"({"errors":[{"code":"transition_not_allowed","message":"an order in status closed cannot become opened"}]})"));
    EXPECT_EQ(refused.verdict, Verdict::Rejected);
    EXPECT_NE(refused.outcome.message_en.find("cannot become opened"), std::string::npos);
    EXPECT_EQ(
        interpret_answer(push, sent(), json_answer(404, R"({"errors":[{"code":"order_not_found","message":"no"}]})"))
            .verdict,
        Verdict::Rejected);
    EXPECT_EQ(
        interpret_answer(push, sent(), json_answer(400, R"({"errors":[{"code":"invalid_status","message":"x"}]})"))
            .verdict,
        Verdict::Failed);
    EXPECT_EQ(interpret_answer(push, sent(), json_answer(503, "busy")).verdict, Verdict::Retry);
    EXPECT_EQ(interpret_answer(push, sent(), json_answer(200, R"({"sID_Ord)")).verdict, Verdict::Retry);
    EXPECT_EQ(interpret_answer(push, sent(), json_answer(200, R"({"sStatus":"opened"})")).verdict, Verdict::Retry);
}
