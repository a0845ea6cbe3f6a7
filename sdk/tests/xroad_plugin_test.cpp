// XRoadPlugin does for every plugin what each repeated: a case of a service it does not offer
// never reaches the plugin's functions, and translate runs only for a case that validates.

#include <vikno/xroad_plugin.h>

#include <gtest/gtest.h>

using namespace vikno;

namespace {

int translations = 0;
int interpretations = 0;

FieldErrors needs_a_last_name(const CaseView& c) {
    if (c.applicant.last_name.empty()) return {{"applicant.last_name", "is required"}};
    return {};
}

Result<Exchange> count_translation(const CaseView&, const ExchangeContext&, const soap::ServiceSettings&) {
    ++translations;
    return Exchange{};
}

Interpretation count_interpretation(const CaseView&, const Exchange&, const RegistryAnswer&) {
    ++interpretations;
    Interpretation done;
    done.verdict = Verdict::Completed;
    return done;
}

XRoadPlugin plugin() {
    PluginParts parts;
    parts.name = "example";
    parts.services = {{"example.check", "Перевірка", "Check", {}}};
    parts.validate = needs_a_last_name;
    parts.translate = count_translation;
    parts.interpret = count_interpretation;
    return XRoadPlugin(parts);
}

CaseView a_case(const std::string& service, const std::string& last_name) {
    CaseView c;
    c.service = service;
    c.applicant.last_name = last_name;
    return c;
}

}  // namespace

TEST(XRoadPlugin, AnotherServiceNeverReachesThePluginsFunctions) {
    const XRoadPlugin p = plugin();
    const CaseView other = a_case("other.check", "Коваленко");
    ASSERT_EQ(p.validate(other).size(), 1U);
    EXPECT_EQ(p.validate(other)[0].field, "service");
    const auto translated = p.translate(other, {});
    ASSERT_FALSE(translated.ok());
    EXPECT_EQ(translated.error().code, "unknown_service");
    EXPECT_EQ(p.interpret(other, {}, {}).verdict, Verdict::Failed);
    EXPECT_EQ(translations, 0);
    EXPECT_EQ(interpretations, 0);
}

TEST(XRoadPlugin, OnlyAValidCaseIsTranslated) {
    const XRoadPlugin p = plugin();
    const auto refused = p.translate(a_case("example.check", ""), {});
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, "invalid_case");
    EXPECT_EQ(refused.error().message, "applicant.last_name is required");
    EXPECT_EQ(translations, 0);
    EXPECT_TRUE(p.translate(a_case("example.check", "Коваленко"), {}).ok());
    EXPECT_EQ(translations, 1);
}
