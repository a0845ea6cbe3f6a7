// The request envelope is strict about its Body, as a registry is: the body element must be the
// registry's own, once.

#include <vikno/plugin_testing.h>
#include <vikno/xml.h>

#include <gtest/gtest.h>

#include <fstream>

using namespace vikno;

namespace {

constexpr const char* kNs = "urn:example:passport-check:v1";

xml::Schema schema() {
    const std::string xsd = ::testing::TempDir() + "/passport_check.xsd";
    std::ofstream(xsd) << R"(<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace=")" << kNs
                       << R"(" elementFormDefault="qualified">
      <xs:element name="PassportCheck"><xs:complexType><xs:sequence>
        <xs:element name="Number" type="xs:string"/></xs:sequence></xs:complexType></xs:element></xs:schema>)";
    return plugin_testing::soap_schema(std::string(VIKNO_SOURCE_DIR) + "/sdk/share/xroad", kNs, xsd);
}

bool valid(const std::string& body) {
    static const xml::Schema s = schema();
    const std::string envelope = std::string(R"(<soap:Envelope xmlns:soap=")") + soap::kEnvelopeNs +
                                 R"("><soap:Body>)" + body + "</soap:Body></soap:Envelope>";
    auto document = xml::parse(envelope);
    return document && s.validate(document.value()).ok();
}

}  // namespace

TEST(SoapRequestSchema, TheBodyIsTheRegistrysOwnElementOnce) {
    const std::string ours =
        std::string(R"(<p:PassportCheck xmlns:p=")") + kNs + R"("><p:Number>1</p:Number></p:PassportCheck>)";
    EXPECT_TRUE(valid(ours));
    EXPECT_FALSE(
        valid(R"(<p:PassportCheck xmlns:p="urn:example:pasport-check:v1"><p:Number>1</p:Number></p:PassportCheck>)"))
        << "a misspelt namespace passed";
    EXPECT_FALSE(valid("")) << "an empty body passed";
    EXPECT_FALSE(valid(ours + ours)) << "two body elements passed";
    EXPECT_FALSE(
        valid(std::string(R"(<p:PassportCheck xmlns:p=")") + kNs + R"("><p:Numbr>1</p:Numbr></p:PassportCheck>)"))
        << "the registry's own schema is not applied";
}
