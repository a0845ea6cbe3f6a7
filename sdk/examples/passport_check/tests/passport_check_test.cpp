// The document check's own tests, with the SDK's plugin_testing helpers: the request validates
// against the strict envelope and the plugin's schema, the case's mistakes are named, and every
// kind of answer the registry gives means what it should.

#include "../src/passport_check.h"

#include <vikno/plugin_testing.h>
#include <vikno/soap.h>
#include <vikno/xml_schema.h>

#include <gtest/gtest.h>

using namespace vikno;
using namespace passport_check;

namespace {

Case sample() { return plugin_testing::sample_case(std::string(PASSPORT_CHECK_DIR) + "/samples", "document-check"); }

RegistryAnswer answer(const std::string& inner) {
    return plugin_testing::soap_answer(200,
                                       {"SEVDEIR-TEST", "GOV", "37508470", "DOCUMENT-CHECK", "CheckDocument", "v1"},
                                       std::string(R"(<pc:CheckDocumentResponse xmlns:pc=")") + kNamespace + R"(">)" +
                                           inner + "</pc:CheckDocumentResponse>",
                                       "msg-0001");
}

}  // namespace

TEST(Translation, TheRequestIsValidAgainstTheStrictEnvelopeAndTheSchema) {
    const Case c = sample();
    ASSERT_TRUE(validate_case(c).empty());
    auto exchange = registry().request(c, plugin_testing::kContext, registry().address, request_body);
    ASSERT_TRUE(exchange.ok()) << exchange.error().message;
    EXPECT_EQ(exchange.value().message_id, "msg-0001");
    const xml::Schema schema = plugin_testing::soap_schema(
        VIKNO_XROAD_SCHEMA_DIR, kNamespace, std::string(PASSPORT_CHECK_DIR) + "/schema/passport_check.xsd");
    auto parsed = xml::parse(exchange.value().body);
    ASSERT_TRUE(parsed.ok());
    auto valid = schema.validate(parsed.value());
    EXPECT_TRUE(valid.ok()) << valid.error().message;
    EXPECT_NE(exchange.value().body.find("<pc:DocumentNumber>001234567</pc:DocumentNumber>"), std::string::npos);
}

TEST(Validation, NamesTheMissingOrWrongFields) {
    Case c = sample();
    c.applicant.document->number = "12345";
    c.applicant.birth_date = "21.06.1994";
    const auto errors = validate_case(c);
    ASSERT_EQ(errors.size(), 2U);
    EXPECT_EQ(errors[0].field, "applicant.birth_date");
    EXPECT_EQ(errors[1].field, "applicant.document.number");
    c = sample();
    c.applicant.document.reset();
    ASSERT_EQ(validate_case(c).size(), 1U);
    EXPECT_EQ(validate_case(c)[0].field, "applicant.document");
}

TEST(Interpretation, AValidDocumentCompletesWithItsStatus) {
    const auto result =
        interpret_answer(sample(), plugin_testing::sent(),
                         answer("<pc:Document><pc:Status>valid</pc:Status><pc:ValidUntil>2032-06-21</pc:ValidUntil>"
                                "</pc:Document>"));
    EXPECT_EQ(result.verdict, Verdict::Completed) << result.reason;
    ASSERT_TRUE(plugin_testing::document(result.outcome));
    EXPECT_EQ(plugin_testing::document(result.outcome)->getValue<std::string>("valid_until"), "2032-06-21");
}

TEST(Interpretation, ALostDocumentIsAnAnswerNotAFailure) {
    const auto result = interpret_answer(sample(), plugin_testing::sent(),
                                         answer("<pc:Document><pc:Status>lost</pc:Status></pc:Document>"));
    EXPECT_EQ(result.verdict, Verdict::Completed);
    EXPECT_EQ(result.reason, "document lost");
}

TEST(Interpretation, NotFoundIsARejectionAndAnUnknownAnswerIsRetried) {
    EXPECT_EQ(interpret_answer(sample(), plugin_testing::sent(), answer("<pc:NotFound/>")).verdict, Verdict::Rejected);
    EXPECT_EQ(interpret_answer(sample(), plugin_testing::sent(),
                               answer("<pc:Document><pc:Status>misplaced</pc:Status></pc:Document>"))
                  .verdict,
              Verdict::Retry);
    EXPECT_EQ(interpret_answer(sample(), plugin_testing::sent(), answer("")).verdict, Verdict::Retry);
}

TEST(Interpretation, AnAnswerToAnotherMessageIsNotTaken) {
    const auto result = interpret_answer(sample(), plugin_testing::sent("msg-other"),
                                         answer("<pc:Document><pc:Status>valid</pc:Status></pc:Document>"));
    EXPECT_NE(result.verdict, Verdict::Completed);
}
