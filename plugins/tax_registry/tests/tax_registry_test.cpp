// Golden requests, field checks, and interpretation of every kind of answer the register gives.
#include "../src/interpreter.h"
#include "../src/translator.h"

#include <vikno/plugin_testing.h>

#include <gtest/gtest.h>

using namespace vikno;
using namespace vikno::tax_registry;

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

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, TranslationMatchesTheGoldenRequest) {
    const Case c = sample(GetParam());
    ASSERT_TRUE(validate_case(c).empty());
    auto exchange = translate_case(c, kContext, default_settings());
    ASSERT_TRUE(exchange.ok()) << exchange.error().message;
    const Exchange& e = exchange.value();
    const std::string text =
        e.method + " " + e.path + "\n" + find_header(e.headers, "X-Road-Client") + "\n" + e.body + "\n";
    const std::string golden_path = std::string(TAX_REGISTRY_DIR) + "/tests/golden/" + GetParam() + ".txt";
    EXPECT_EQ(text, plugin_testing::golden(golden_path, text)) << "run with VIKNO_UPDATE_GOLDEN=1 to accept a change";
    EXPECT_EQ(find_header(e.headers, "X-Road-Id"), "msg-0001");
}

INSTANTIATE_TEST_SUITE_P(Samples, Golden, ::testing::Values("newborn-rnokpp", "fop-tax-registration"),
                         [](const auto& info) {
                             std::string name = info.param;
                             for (auto& ch : name) {
                                 if (ch == '-') ch = '_';
                             }
                             return name;
                         });

TEST(Validation, NamesTheMissingOrWrongFields) {
    Case newborn = sample("newborn-rnokpp");
    newborn.subject->set("unzr", "2026-11-20");
    newborn.subject->getObject("child")->set("sex", "");
    auto errors = validate_case(newborn);
    ASSERT_EQ(errors.size(), 2U);
    EXPECT_EQ(errors[0].field, "subject.child.sex");
    EXPECT_EQ(errors[1].field, "subject.unzr");

    Case fop = sample("fop-tax-registration");
    fop.applicant.rnokpp = "3652504576";
    fop.subject->set("kved", "62.1");
    fop.subject->set("tax_system", "single-4");
    errors = validate_case(fop);
    ASSERT_EQ(errors.size(), 3U);
    EXPECT_EQ(errors[0].field, "applicant.rnokpp");
    EXPECT_EQ(errors[1].field, "subject.kved");
    EXPECT_EQ(errors[2].field, "subject.tax_system");
}

TEST(Interpretation, ARegisteredNewbornCompletesWithItsRnokpp) {
    const auto result = interpret_answer(
        sample("newborn-rnokpp"), sent(),
        json_answer(201, R"({"rnokpp":"4634500115","registeredAt":"2026-11-26","alreadyRegistered":false})"));
    EXPECT_EQ(result.verdict, Verdict::Completed);
    EXPECT_EQ(result.outcome.registry_reference, "4634500115");
    EXPECT_EQ(plugin_testing::document(result.outcome)->getValue<std::string>("rnokpp"), "4634500115");
}

TEST(Interpretation, ARefusalRejectsWithItsCodeAndBrokenAnswersAreRetried) {
    const Case fop = sample("fop-tax-registration");
    const auto refused = interpret_answer(
        fop, sent(), json_answer(422, R"({"errors":[{"code":"SINGLE_TAX_REFUSED","message":"борг"}]})"));
    EXPECT_EQ(refused.verdict, Verdict::Rejected);
    EXPECT_NE(refused.reason.find("SINGLE_TAX_REFUSED"), std::string::npos);
    EXPECT_EQ(interpret_answer(fop, sent(), json_answer(201, R"({"rnokpp":"3652504576"})")).verdict, Verdict::Retry);
    EXPECT_EQ(interpret_answer(fop, sent(), json_answer(201, "[1]")).verdict, Verdict::Retry);
    EXPECT_EQ(interpret_answer(fop, sent(), json_answer(503, "busy")).verdict, Verdict::Retry);
    EXPECT_EQ(interpret_answer(fop, sent(), json_answer(400, R"({"errors":[{"code":"schema"}]})")).verdict,
              Verdict::Failed);
}
