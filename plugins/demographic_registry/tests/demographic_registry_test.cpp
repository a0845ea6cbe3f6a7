// Translation against the golden file (which must also validate against the X-Road and plugin
// schemas), and interpretation of every kind of answer the register gives.
#include "../src/registry.h"

#include <vikno/plugin_testing.h>
#include <vikno/soap.h>
#include <vikno/xml_schema.h>

#include <gtest/gtest.h>

using namespace vikno;
using namespace vikno::demographic_registry;

namespace {

Case sample() { return plugin_testing::sample_case(std::string(VIKNO_SOURCE_DIR) + "/config/samples", "newborn-unzr"); }

using plugin_testing::kContext;

RegistryAnswer soap_answer(const std::string& body_xml, const std::string& id = "msg-0001") {
    return plugin_testing::soap_answer(200, {"SEVDEIR-TEST", "GOV", "37508470", "EDDR", "AssignNewbornUnzr", "v1"},
                                       body_xml, id);
}

using plugin_testing::sent;

std::string response(const std::string& inner) {
    return R"(<eddr:AssignNewbornUnzrResponse xmlns:eddr="urn:vikno:registry:eddr:1">)" + inner +
           "</eddr:AssignNewbornUnzrResponse>";
}

}  // namespace

TEST(Golden, TranslationMatchesTheGoldenFileAndTheSchemas) {
    const Case c = sample();
    ASSERT_TRUE(validate_case(c).empty());
    auto exchange = registry().request(c, kContext, registry().address, request_body);
    ASSERT_TRUE(exchange.ok()) << exchange.error().message;
    const std::string golden_path = std::string(DEMOGRAPHIC_REGISTRY_DIR) + "/tests/golden/newborn-unzr.xml";
    EXPECT_EQ(exchange.value().body, plugin_testing::golden(golden_path, exchange.value().body))
        << "run with VIKNO_UPDATE_GOLDEN=1 to accept a change";
    const xml::Schema schema = plugin_testing::soap_schema(
        VIKNO_XROAD_SCHEMA_DIR, kNamespace, std::string(DEMOGRAPHIC_REGISTRY_DIR) + "/schema/demographic_registry.xsd");
    auto parsed = xml::parse(exchange.value().body);
    ASSERT_TRUE(parsed.ok());
    auto valid = schema.validate(parsed.value());
    EXPECT_TRUE(valid.ok()) << valid.error().message;
}

TEST(Validation, NamesTheMissingOrWrongFields) {
    Case c = sample();
    c.subject->getObject("child")->set("sex", "X");
    c.subject->getObject("birth_act")->set("number", "12a");
    c.subject->set("mother_rnokpp", "3652504576");
    const auto errors = validate_case(c);
    ASSERT_EQ(errors.size(), 3U);
    EXPECT_EQ(errors[0].field, "subject.birth_act.number");
    EXPECT_EQ(errors[1].field, "subject.child.sex");
    EXPECT_EQ(errors[2].field, "subject.mother_rnokpp");
}

TEST(Interpretation, AnAssignedNumberCompletesWithTheUnzr) {
    const auto result = interpret_answer(
        sample(), sent(),
        soap_answer(
            response("<eddr:Assigned><eddr:Unzr>20261120-00001</eddr:Unzr><eddr:RecordDate>2026-11-26</eddr:RecordDate>"
                     "<eddr:AlreadyAssigned>false</eddr:AlreadyAssigned></eddr:Assigned>")));
    EXPECT_EQ(result.verdict, Verdict::Completed);
    EXPECT_EQ(result.outcome.registry_reference, "20261120-00001");
    ASSERT_TRUE(plugin_testing::document(result.outcome));
    EXPECT_EQ(plugin_testing::document(result.outcome)->getValue<std::string>("unzr"), "20261120-00001");
}

TEST(Interpretation, ARefusalIsARejectionWithItsCode) {
    const auto result = interpret_answer(
        sample(), sent(),
        soap_answer(response(
            "<eddr:Refused><eddr:Code>ACT_BEFORE_BIRTH</eddr:Code><eddr:Reason>раніше</eddr:Reason></eddr:Refused>")));
    EXPECT_EQ(result.verdict, Verdict::Rejected);
    EXPECT_NE(result.reason.find("ACT_BEFORE_BIRTH"), std::string::npos);
}

TEST(Interpretation, MalformedOrForeignAnswersAreNotUsed) {
    const Case c = sample();
    const auto bad_unzr = interpret_answer(
        c, sent(),
        soap_answer(response("<eddr:Assigned><eddr:Unzr>2026-1</eddr:Unzr><eddr:RecordDate>2026-11-26</eddr:RecordDate>"
                             "<eddr:AlreadyAssigned>false</eddr:AlreadyAssigned></eddr:Assigned>")));
    EXPECT_EQ(bad_unzr.verdict, Verdict::Retry);
    EXPECT_EQ(interpret_answer(c, sent(), soap_answer(response(""))).verdict, Verdict::Retry);
    const auto other = soap_answer(response("<eddr:Refused><eddr:Code>X</eddr:Code><eddr:Reason>x</eddr:Reason>"
                                            "</eddr:Refused>"),
                                   "msg-9999");
    EXPECT_EQ(interpret_answer(c, sent(), other).verdict, Verdict::Retry);
    EXPECT_EQ(interpret_answer(c, sent(), {500, {}, soap::build_fault(nullptr, "soap:Server", "busy")}).verdict,
              Verdict::Retry);
}
