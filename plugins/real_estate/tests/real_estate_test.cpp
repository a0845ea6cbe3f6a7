// Translation against golden files (which must also validate against the X-Road and plugin
// schemas), field checks, and interpretation of every kind of answer the register gives.
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
using namespace vikno::real_estate;

namespace {

Case sample(const std::string& name) {
    return plugin_testing::sample_case(std::string(VIKNO_SOURCE_DIR) + "/config/samples", name);
}

using plugin_testing::kContext;

const xml::Schema& schema() {
    static const xml::Schema s = plugin_testing::soap_schema(VIKNO_XROAD_SCHEMA_DIR, kNamespace,
                                                             std::string(REAL_ESTATE_DIR) + "/schema/real_estate.xsd");
    return s;
}

RegistryAnswer answer_with(const std::string& inner, const std::string& id = "msg-0001") {
    return plugin_testing::soap_answer(
        200, {"SEVDEIR-TEST", "GOV", "00015622", "DRRP", "ExtractByCadastralNumber", "v1"},
        std::string(R"(<drrp:PropertyRightsExtractResponse xmlns:drrp="urn:vikno:registry:drrp:1">)") + inner +
            "</drrp:PropertyRightsExtractResponse>",
        id);
}

using plugin_testing::sent;

const std::string kExtract =
    R"(<drrp:Extract><drrp:ExtractNumber>ДРРП-1</drrp:ExtractNumber><drrp:IssuedAt>2026-11-26</drrp:IssuedAt>
  <drrp:Object><drrp:RegistrationNumber>2710955605101</drrp:RegistrationNumber>
    <drrp:CadastralNumber>0510100000:02:011:0432</drrp:CadastralNumber><drrp:Kind>land_plot</drrp:Kind>
    <drrp:Address>м. Вінниця, вул. Соборна, 12</drrp:Address><drrp:Area>0.1000</drrp:Area>
    <drrp:Right><drrp:Kind>shared_ownership</drrp:Kind><drrp:Share>1/2</drrp:Share>
      <drrp:Holder><drrp:Name>Коваленко Олена Петрівна</drrp:Name><drrp:Rnokpp>3652504575</drrp:Rnokpp></drrp:Holder>
      <drrp:RegistrationNumber>45122710</drrp:RegistrationNumber><drrp:RegisteredAt>2020-05-14</drrp:RegisteredAt></drrp:Right>
    <drrp:Encumbrance><drrp:Kind>mortgage</drrp:Kind><drrp:Holder>АТ «Ощадбанк»</drrp:Holder>
      <drrp:RegistrationNumber>45122790</drrp:RegistrationNumber><drrp:RegisteredAt>2020-05-15</drrp:RegisteredAt></drrp:Encumbrance>
  </drrp:Object></drrp:Extract>)";

}  // namespace

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, TranslationMatchesTheGoldenFileAndTheSchemas) {
    const Case c = sample(GetParam());
    ASSERT_TRUE(validate_case(c).empty());
    auto exchange = translate_case(c, kContext, default_settings());
    ASSERT_TRUE(exchange.ok()) << exchange.error().message;
    const std::string golden_path = std::string(REAL_ESTATE_DIR) + "/tests/golden/" + GetParam() + ".xml";
    EXPECT_EQ(exchange.value().body, plugin_testing::golden(golden_path, exchange.value().body))
        << "run with VIKNO_UPDATE_GOLDEN=1 to accept a change";
    auto parsed = xml::parse(exchange.value().body);
    ASSERT_TRUE(parsed.ok());
    auto valid = schema().validate(parsed.value());
    EXPECT_TRUE(valid.ok()) << valid.error().message;
}

INSTANTIATE_TEST_SUITE_P(Samples, Golden, ::testing::Values("property-by-cadastral-number", "property-by-owner"),
                         [](const auto& info) {
                             std::string name = info.param;
                             for (auto& ch : name)
                                 if (ch == '-') ch = '_';
                             return name;
                         });

TEST(Translation, AnOwnerByEdrpouIsALegalEntity) {
    Case c = sample("property-by-owner");
    c.subject->getObject("owner")->remove("rnokpp");
    c.subject->getObject("owner")->set("edrpou", "14360570");
    auto exchange = translate_case(c, kContext, default_settings());
    ASSERT_TRUE(exchange.ok());
    EXPECT_NE(exchange.value().body.find("<drrp:Edrpou>14360570</drrp:Edrpou>"), std::string::npos);
    EXPECT_EQ(exchange.value().headers.front().second, "\"ExtractByOwner\"");
}

TEST(Validation, NamesTheMissingOrWrongFields) {
    Case c = sample("property-by-cadastral-number");
    c.subject->set("cadastral_number", "0510100000:02:011");
    auto errors = validate_case(c);
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors[0].field, "subject.cadastral_number");

    Case owner = sample("property-by-owner");
    owner.subject->getObject("owner")->set("rnokpp", "3652504576");
    errors = validate_case(owner);
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors[0].field, "subject.owner.rnokpp");

    owner.subject->getObject("owner")->set("edrpou", "14360570");
    errors = validate_case(owner);
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors[0].field, "subject.owner");  // both a person and an entity

    owner.subject = new Poco::JSON::Object;
    errors = validate_case(owner);
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors[0].field, "subject.owner");

    Case bad_edrpou = sample("property-by-owner");
    bad_edrpou.subject->getObject("owner")->remove("rnokpp");
    bad_edrpou.subject->getObject("owner")->set("edrpou", "14360571");
    errors = validate_case(bad_edrpou);
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors[0].field, "subject.owner.edrpou");
}

TEST(Interpretation, AnExtractCompletesWithObjectsRightsAndEncumbrances) {
    const auto result = interpret_answer(sample("property-by-cadastral-number"), sent(), answer_with(kExtract));
    EXPECT_EQ(result.verdict, Verdict::Completed);
    EXPECT_EQ(result.outcome.registry_reference, "ДРРП-1");
    ASSERT_TRUE(plugin_testing::document(result.outcome));
    const auto object = plugin_testing::document(result.outcome)->getArray("objects")->getObject(0);
    EXPECT_EQ(object->getValue<std::string>("cadastral_number"), "0510100000:02:011:0432");
    const auto right = object->getArray("rights")->getObject(0);
    EXPECT_EQ(right->getValue<std::string>("share"), "1/2");
    EXPECT_EQ(right->getObject("holder")->getValue<std::string>("rnokpp"), "3652504575");
    EXPECT_EQ(object->getArray("encumbrances")->getObject(0)->getValue<std::string>("kind"), "mortgage");
    EXPECT_EQ(result.outcome.message_en, "Information extract issued: 1 real property object(s)");
}

TEST(Interpretation, NothingRegisteredIsARejection) {
    const auto result =
        interpret_answer(sample("property-by-owner"), sent(),
                         answer_with("<drrp:NotFound><drrp:Reason>немає</drrp:Reason></drrp:NotFound>"));
    EXPECT_EQ(result.verdict, Verdict::Rejected);
    EXPECT_EQ(result.outcome.message_en, "No registered real property rights match the request");
}

TEST(Interpretation, FaultsAndBadAnswersMapToFailOrRetry) {
    const Case c = sample("property-by-owner");
    EXPECT_EQ(interpret_answer(c, sent(), {500, {}, soap::build_fault(nullptr, "soap:Client", "bad owner")}).verdict,
              Verdict::Failed);
    EXPECT_EQ(interpret_answer(c, sent(), {500, {}, soap::build_fault(nullptr, "soap:Server", "busy")}).verdict,
              Verdict::Retry);
    EXPECT_EQ(interpret_answer(c, sent(), {200, {}, "<soap:Envelope"}).verdict, Verdict::Retry);
    EXPECT_EQ(interpret_answer(c, sent(), answer_with(kExtract, "msg-9999")).verdict, Verdict::Retry);
    EXPECT_EQ(interpret_answer(c, sent(), answer_with("<drrp:Nothing/>")).verdict, Verdict::Retry);
}
