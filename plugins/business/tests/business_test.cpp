// Golden requests (the registration also against its XSD), field checks, and every kind of answer:
// a search that leads to the details (Continue), the details, a registration recorded or refused.
#include "../src/interpreter.h"
#include "../src/translator.h"

#include <vikno/plugin_testing.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

using namespace vikno;
using namespace vikno::business;

namespace {

Case sample(const std::string& name) {
    return plugin_testing::sample_case(std::string(VIKNO_SOURCE_DIR) + "/config/samples", name);
}

using plugin_testing::kContext;

RegistryAnswer answer(int status, const std::string& body, const std::string& type = "application/json") {
    return {status, {{"Content-Type", type}}, body};
}

Exchange search_sent() { return translate_case(sample("business-extract"), kContext, default_settings()).value(); }

}  // namespace

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, TranslationMatchesTheGoldenRequest) {
    const Case c = sample(GetParam());
    ASSERT_TRUE(validate_case(c).empty());
    auto exchange = translate_case(c, kContext, default_settings());
    ASSERT_TRUE(exchange.ok()) << exchange.error().message;
    const Exchange& e = exchange.value();
    const std::string text = e.method + " " + e.path + "\n" + e.content_type + "\n" + e.body + "\n";
    const std::string golden_path = std::string(BUSINESS_DIR) + "/tests/golden/" + GetParam() + ".txt";
    EXPECT_EQ(text, plugin_testing::golden(golden_path, text)) << "run with VIKNO_UPDATE_GOLDEN=1 to accept a change";
    EXPECT_EQ(find_header(e.headers, "X-Road-Client"), "SEVDEIR-TEST/GOV/12345678/VIKNO");
}

INSTANTIATE_TEST_SUITE_P(Samples, Golden, ::testing::Values("business-extract", "fop-registration"),
                         [](const auto& info) {
                             std::string name = info.param;
                             for (auto& ch : name)
                                 if (ch == '-') ch = '_';
                             return name;
                         });

TEST(Translation, TheRegistrationValidatesAgainstItsSchema) {
    const auto exchange = translate_case(sample("fop-registration"), kContext, default_settings()).value();
    EXPECT_EQ(exchange.protocol, Protocol::Xml);
    auto schema = xml::Schema::load(std::string(BUSINESS_DIR) + "/schema/fop_registration.xsd");
    ASSERT_TRUE(schema.ok());
    auto document = xml::parse(exchange.body);
    ASSERT_TRUE(document.ok());
    const auto valid = schema.value().validate(document.value());
    EXPECT_TRUE(valid.ok()) << valid.error().message;
}

TEST(Validation, NamesTheWrongFields) {
    Case extract = sample("business-extract");
    extract.subject->set("code", "14360571");
    auto errors = validate_case(extract);
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors[0].field, "subject.code");
    extract.subject->set("passport", "АБ123456");
    EXPECT_EQ(validate_case(extract)[0].field, "subject");  // both

    Case registration = sample("fop-registration");
    registration.subject->set("primary_kved", "99.99");
    Poco::JSON::Array::Ptr kved = new Poco::JSON::Array;
    kved->add("74.10");
    kved->add("621");
    registration.subject->set("kved", kved);
    errors = validate_case(registration);
    ASSERT_EQ(errors.size(), 2U);
    EXPECT_EQ(errors[0].field, "subject.kved[1]");
    EXPECT_EQ(errors[1].field, "subject.primary_kved");
}

TEST(Interpretation, ASearchContinuesToTheFirstMatchsDetails) {
    const Exchange sent = search_sent();
    const auto result =
        interpret_answer(sample("business-extract"), sent,
                         answer(200, R"([{"id":1001,"code":"14360570","name":"ПРИВАТБАНК","state":1}])"));
    ASSERT_EQ(result.verdict, Verdict::Continue);
    ASSERT_TRUE(result.next);
    EXPECT_EQ(result.next->path, "/r1/SEVDEIR-TEST/GOV/00015622/EDR/1.0/subjects/1001");
    EXPECT_EQ(result.next->message_id, "msg-0001-details");
    EXPECT_EQ(find_header(result.next->headers, "X-Road-Id"), "msg-0001-details");
    EXPECT_EQ(find_header(result.next->headers, "X-Road-Client"), "SEVDEIR-TEST/GOV/12345678/VIKNO");

    const auto none = interpret_answer(sample("business-extract"), sent, answer(200, "[]"));
    EXPECT_EQ(none.verdict, Verdict::Rejected);
}

TEST(Interpretation, TheDetailsCompleteTheCase) {
    Exchange details = search_sent();
    details.path = "/r1/SEVDEIR-TEST/GOV/00015622/EDR/1.0/subjects/1001";
    const auto result = interpret_answer(
        sample("business-extract"), details,
        answer(
            200,
            R"({"id":1001,"code":"14360570","names":{"name":"АТ","short":"АТ КБ «ПРИВАТБАНК»"},"state":1,"state_text":"зареєстровано",
            "activity_kinds":[{"code":"64.19","name":"x","is_primary":true}],"heads":[{"name":"Н","role_text":"голова"}]})"));
    EXPECT_EQ(result.verdict, Verdict::Completed);
    EXPECT_EQ(result.outcome.registry_reference, "14360570");
    EXPECT_EQ(plugin_testing::document(result.outcome)
                  ->getArray("activity_kinds")
                  ->getObject(0)
                  ->getValue<std::string>("code"),
              "64.19");
    EXPECT_EQ(interpret_answer(sample("business-extract"), details, answer(404, R"({"errors":[]})")).verdict,
              Verdict::Rejected);
    EXPECT_EQ(interpret_answer(sample("business-extract"), details, answer(200, R"({"id":1})")).verdict,
              Verdict::Retry);
}

TEST(Interpretation, ARegistrationIsRecordedOrRefusedWithReasons) {
    const Case c = sample("fop-registration");
    const Exchange sent = translate_case(c, kContext, default_settings()).value();
    const std::string ns = R"( xmlns:fop="urn:vikno:registry:edr:fop:1")";
    const auto registered = interpret_answer(
        c, sent,
        answer(200,
               "<fop:FopRegistrationResponse" + ns +
                   "><fop:Registered><fop:RecordNumber>20100001</fop:RecordNumber>"
                   "<fop:RegisteredAt>2026-11-26</fop:RegisteredAt></fop:Registered></fop:FopRegistrationResponse>",
               "application/xml"));
    EXPECT_EQ(registered.verdict, Verdict::Completed);
    EXPECT_EQ(registered.outcome.registry_reference, "20100001");
    const auto refused =
        interpret_answer(c, sent,
                         answer(200,
                                "<fop:FopRegistrationResponse" + ns +
                                    "><fop:Refused><fop:Reason>вже зареєстрована</fop:Reason>"
                                    "<fop:Reason>КВЕД 64.19</fop:Reason></fop:Refused></fop:FopRegistrationResponse>",
                                "application/xml"));
    EXPECT_EQ(refused.verdict, Verdict::Rejected);
    EXPECT_NE(refused.outcome.message_uk.find("вже зареєстрована; КВЕД 64.19"), std::string::npos);
    EXPECT_EQ(interpret_answer(c, sent, answer(503, "")).verdict, Verdict::Retry);
    EXPECT_EQ(interpret_answer(c, sent, answer(200, "<fop:Fop")).verdict, Verdict::Retry);
    EXPECT_EQ(interpret_answer(c, sent, answer(400, R"({"errors":[{"code":"schema","message":"bad"}]})")).verdict,
              Verdict::Failed);
}
