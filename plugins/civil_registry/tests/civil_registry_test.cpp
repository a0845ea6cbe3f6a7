// Translation against golden files (which must also validate against the X-Road and plugin
// schemas), and interpretation of every kind of answer the registry gives.
#include "../src/interpreter.h"
#include "../src/translator.h"

#include <vikno/case_json.h>
#include <vikno/plugin_testing.h>
#include <vikno/soap.h>
#include <vikno/xml_schema.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace vikno;
using namespace vikno::civil_registry;

namespace {

Case sample(const std::string& name) {
    return plugin_testing::sample_case(std::string(VIKNO_SOURCE_DIR) + "/config/samples", name);
}

using plugin_testing::kContext;

const xml::Schema& schema() {
    static const xml::Schema s = plugin_testing::soap_schema(
        VIKNO_XROAD_SCHEMA_DIR, kNamespace, std::string(CIVIL_REGISTRY_DIR) + "/schema/civil_registry.xsd");
    return s;
}

RegistryAnswer soap_answer(int status, const std::string& body_xml, const std::string& id = "msg-0001") {
    return plugin_testing::soap_answer(status, {"SEVDEIR-TEST", "GOV", "00015622", "DRACS", "BirthRecordExtract", "v1"},
                                       body_xml, id);
}

using plugin_testing::sent;

}  // namespace

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, TranslationMatchesTheGoldenFileAndTheSchemas) {
    const Case c = sample(GetParam());
    ASSERT_TRUE(validate_case(c).empty());
    auto exchange = translate_case(c, kContext, default_settings());
    ASSERT_TRUE(exchange.ok()) << exchange.error().message;
    const std::string golden_path = std::string(CIVIL_REGISTRY_DIR) + "/tests/golden/" + GetParam() + ".xml";
    EXPECT_EQ(exchange.value().body, plugin_testing::golden(golden_path, exchange.value().body))
        << "run with VIKNO_UPDATE_GOLDEN=1 to accept a change";
    auto parsed = xml::parse(exchange.value().body);
    ASSERT_TRUE(parsed.ok());
    auto valid = schema().validate(parsed.value());
    EXPECT_TRUE(valid.ok()) << valid.error().message;
}

INSTANTIATE_TEST_SUITE_P(Samples, Golden,
                         ::testing::Values("birth-extract", "birth-extract-by-certificate", "marriage-extract",
                                           "death-extract"),
                         [](const auto& info) {
                             std::string name = info.param;
                             for (auto& ch : name)
                                 if (ch == '-') ch = '_';
                             return name;
                         });

TEST(Validation, NamesTheMissingOrWrongFields) {
    Case c = sample("birth-extract");
    c.subject = new Poco::JSON::Object;
    auto errors = validate_case(c);
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors[0].field, "subject");

    Case marriage = sample("marriage-extract");
    marriage.subject->set("person_rnokpp", "3068208401");
    errors = validate_case(marriage);
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors[0].field, "subject.person_rnokpp");

    Case death = sample("death-extract");
    death.subject->getObject("deceased")->set("birth_date", "1941-13-09");
    errors = validate_case(death);
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors[0].field, "subject.deceased.birth_date");
}

TEST(Settings, UnknownKeysAndBadMemberCodesAreRefused) {
    EXPECT_FALSE(soap::parse_service_settings({{"membercode", "00015622"}}, default_settings()).ok());
    EXPECT_FALSE(soap::parse_service_settings({{"member_code", "00015623"}}, default_settings()).ok());
    EXPECT_TRUE(
        soap::parse_service_settings({{"member_code", "00015622"}, {"subsystem", "DRACS2"}}, default_settings()).ok());
}

TEST(Interpretation, RecordFoundCompletesWithTheExtract) {
    const Case c = sample("birth-extract");
    const auto answer = soap_answer(200, R"(<drac:BirthRecordExtractResponse xmlns:drac="urn:vikno:registry:drac:1">
      <drac:Record><drac:ExtractNumber>EX-1</drac:ExtractNumber><drac:ActNumber>12</drac:ActNumber>
      <drac:ActDate>2024-03-12</drac:ActDate><drac:RegistryOffice>Office</drac:RegistryOffice>
      <drac:Child><drac:LastName>К</drac:LastName><drac:FirstName>М</drac:FirstName><drac:BirthDate>2024-03-01</drac:BirthDate>
      <drac:Sex>F</drac:Sex><drac:BirthPlace>Вінниця</drac:BirthPlace></drac:Child>
      <drac:Mother><drac:LastName>К</drac:LastName><drac:FirstName>О</drac:FirstName></drac:Mother>
      <drac:Certificate><drac:Series>I-АМ</drac:Series><drac:Number>204518</drac:Number></drac:Certificate>
      </drac:Record></drac:BirthRecordExtractResponse>)");
    const auto result = interpret_answer(c, sent(), answer);
    EXPECT_EQ(result.verdict, Verdict::Completed);
    EXPECT_EQ(result.outcome.registry_reference, "EX-1");
    ASSERT_TRUE(plugin_testing::document(result.outcome));
    EXPECT_EQ(plugin_testing::document(result.outcome)->getValue<std::string>("act_number"), "12");
    EXPECT_EQ(plugin_testing::document(result.outcome)->getObject("child")->getValue<std::string>("sex"), "F");
    EXPECT_FALSE(result.outcome.message_uk.empty());
}

TEST(Interpretation, NotFoundIsARejection) {
    const auto result = interpret_answer(
        sample("birth-extract"), sent(),
        soap_answer(200,
                    R"(<drac:BirthRecordExtractResponse xmlns:drac="urn:vikno:registry:drac:1"><drac:NotFound>
           <drac:Reason>немає</drac:Reason></drac:NotFound></drac:BirthRecordExtractResponse>)"));
    EXPECT_EQ(result.verdict, Verdict::Rejected);
    EXPECT_EQ(result.outcome.message_en, "No birth record found");
}

TEST(Interpretation, ClientFaultFailsAndServerFaultRetries) {
    const Case c = sample("birth-extract");
    const auto client = interpret_answer(c, sent(), {500, {}, soap::build_fault(nullptr, "soap:Client", "bad date")});
    EXPECT_EQ(client.verdict, Verdict::Failed);
    EXPECT_NE(client.outcome.message_en.find("bad date"), std::string::npos);
    const auto server = interpret_answer(c, sent(), {500, {}, soap::build_fault(nullptr, "soap:Server", "busy")});
    EXPECT_EQ(server.verdict, Verdict::Retry);
}

// The HTTP status is not signed, the envelope is: a signed "not found" delivered as 403 or 500 is
// still the registry's "not found", not a refusal of access or an outage.
TEST(Interpretation, TheSignedBodyDecidesWhateverTheUnsignedStatusSays) {
    const Case c = sample("birth-extract");
    const std::string not_found =
        R"(<drac:BirthRecordExtractResponse xmlns:drac="urn:vikno:registry:drac:1"><drac:NotFound>
           <drac:Reason>немає</drac:Reason></drac:NotFound></drac:BirthRecordExtractResponse>)";
    for (const int status : {200, 403, 500}) {
        EXPECT_EQ(interpret_answer(c, sent(), soap_answer(status, not_found)).verdict, Verdict::Rejected) << status;
    }
    // A Client fault is the registry's refusal whatever the status; a Server fault delivered as 200 is still an outage.
    EXPECT_EQ(interpret_answer(c, sent(), {200, {}, soap::build_fault(nullptr, "soap:Client", "bad date")}).verdict,
              Verdict::Failed);
    EXPECT_EQ(interpret_answer(c, sent(), {200, {}, soap::build_fault(nullptr, "soap:Server", "busy")}).verdict,
              Verdict::Retry);
}

TEST(Interpretation, MalformedForeignOrUnexpectedAnswersAreNotUsed) {
    const Case c = sample("birth-extract");
    EXPECT_EQ(interpret_answer(c, sent(), {200, {}, "<soap:Envelope"}).verdict, Verdict::Retry);
    EXPECT_EQ(interpret_answer(c, sent(), {503, {}, "Service Unavailable"}).verdict, Verdict::Retry);
    // An answer to another message must not complete this case.
    const auto other = soap_answer(200, R"(<drac:BirthRecordExtractResponse xmlns:drac="urn:vikno:registry:drac:1">
        <drac:NotFound><drac:Reason>x</drac:Reason></drac:NotFound></drac:BirthRecordExtractResponse>)",
                                   "msg-9999");
    EXPECT_EQ(interpret_answer(c, sent(), other).verdict, Verdict::Retry);
    // The answer for another service.
    const auto wrong = soap_answer(200, R"(<drac:DeathRecordExtractResponse xmlns:drac="urn:vikno:registry:drac:1">
        <drac:NotFound><drac:Reason>x</drac:Reason></drac:NotFound></drac:DeathRecordExtractResponse>)");
    EXPECT_EQ(interpret_answer(c, sent(), wrong).verdict, Verdict::Retry);
    // XXE in an answer is refused by the parser, never expanded.
    const auto xxe =
        interpret_answer(c, sent(), {200, {}, R"(<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>)"});
    EXPECT_EQ(xxe.verdict, Verdict::Retry);
    EXPECT_NE(xxe.reason.find("DOCTYPE"), std::string::npos);
}
