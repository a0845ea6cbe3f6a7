// The vehicle check's own tests: the request, the case's mistakes named, and every kind of answer
// the register gives.

#include "../src/vehicle_check.h"

#include <vikno/plugin_testing.h>

#include <gtest/gtest.h>

using namespace vikno;
using namespace vehicle_check;

namespace {

Case sample() { return plugin_testing::sample_case(std::string(VEHICLE_CHECK_DIR) + "/samples", "vehicle-check"); }

RegistryAnswer answer(int status, const std::string& body) {
    return {status, {{"Content-Type", "application/json"}}, body};
}

}  // namespace

TEST(Translation, TheRequestGoesToTheRegistersPathWithTheCasesMessageId) {
    const Case c = sample();
    ASSERT_TRUE(validate_case(c).empty());
    auto exchange = translate_case(c, plugin_testing::kContext, default_settings());
    ASSERT_TRUE(exchange.ok()) << exchange.error().message;
    EXPECT_EQ(exchange.value().method, "POST");
    EXPECT_EQ(exchange.value().path, "/r1/SEVDEIR-TEST/GOV/40109173/VEHICLES/1.0/vehicle-checks");
    EXPECT_EQ(find_header(exchange.value().headers, "X-Road-Id"), "msg-0001");
    EXPECT_EQ(exchange.value().body, R"({"plate":"АВ1234ВС","ownerRnokpp":"3652504575"})");
}

TEST(Validation, NamesTheMissingOrWrongFields) {
    Case c = sample();
    c.applicant.rnokpp = "3652504576";
    c.subject->set("plate", "AB1234BC");  // Latin letters: not as issued
    const auto errors = validate_case(c);
    ASSERT_EQ(errors.size(), 2U);
    EXPECT_EQ(errors[0].field, "applicant.rnokpp");
    EXPECT_EQ(errors[1].field, "subject.plate");
    EXPECT_TRUE(is_plate("КА0007ТН"));
    EXPECT_FALSE(is_plate("КА007ТН"));
}

TEST(Interpretation, ARegisteredVehicleCompletesWithItsStatus) {
    const auto result = interpret_answer(
        sample(), plugin_testing::sent(),
        answer(200, R"({"status": "registered", "model": "Škoda Octavia", "registeredAt": "2021-04-15"})"));
    EXPECT_EQ(result.verdict, Verdict::Completed) << result.reason;
    EXPECT_EQ(plugin_testing::document(result.outcome)->getValue<std::string>("model"), "Škoda Octavia");
}

TEST(Interpretation, NotFoundIsARejectionAndStrangeAnswersAreRetriedOrFailed) {
    EXPECT_EQ(interpret_answer(sample(), plugin_testing::sent(),
                               answer(404, R"({"errors": [{"code": "not_found", "message": "no"}]})"))
                  .verdict,
              Verdict::Rejected);
    EXPECT_EQ(interpret_answer(sample(), plugin_testing::sent(), answer(200, R"({"status": "lost"})")).verdict,
              Verdict::Retry);
    EXPECT_EQ(interpret_answer(sample(), plugin_testing::sent(), answer(503, "")).verdict, Verdict::Retry);
    EXPECT_EQ(interpret_answer(sample(), plugin_testing::sent(), answer(400, R"({"errors": []})")).verdict,
              Verdict::Failed);
}
