// Hostile XML is refused before it can cost anything: no entity expansion, no external fetch,
// bounded depth and size.
#include <vikno/soap.h>
#include <vikno/xml.h>

#include <gtest/gtest.h>

using namespace vikno;

TEST(XmlSafety, RefusesExternalEntities) {
    const auto parsed = xml::parse(R"(<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>)");
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().code, "xml_doctype_forbidden");
}

TEST(XmlSafety, RefusesBillionLaughs) {
    std::string bomb = R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">)";
    for (int i = 1; i < 10; ++i) {
        bomb += "<!ENTITY lol" + std::to_string(i) + " \"";
        for (int j = 0; j < 10; ++j) bomb += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
        bomb += "\">";
    }
    bomb += "]><lolz>&lol9;</lolz>";
    const auto parsed = xml::parse(bomb);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().code, "xml_doctype_forbidden");
}

TEST(XmlSafety, RefusesExternalDtdReference) {
    const auto parsed = xml::parse(R"(<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:1/x.dtd"><r/>)");
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().code, "xml_doctype_forbidden");
}

TEST(XmlSafety, RefusesDeepNesting) {
    std::string deep;
    for (int i = 0; i < 100; ++i) deep += "<a>";
    for (int i = 0; i < 100; ++i) deep += "</a>";
    const auto parsed = xml::parse(deep);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.error().code, "xml_too_deep");
    EXPECT_TRUE(xml::parse(deep, {.max_bytes = 1 << 20, .max_depth = 128}).ok());
}

TEST(XmlSafety, RefusesOversizeAndMalformedDocuments) {
    EXPECT_EQ(xml::parse(std::string(100, ' ') + "<a/>", {.max_bytes = 50, .max_depth = 8}).error().code,
              "xml_too_large");
    const auto broken = xml::parse("<a><b></a>");
    ASSERT_FALSE(broken.ok());
    EXPECT_EQ(broken.error().code, "xml_malformed");
    EXPECT_NE(broken.error().message.find("line 1"), std::string::npos);
}

TEST(XmlWriter, EscapesTextAndAttributes) {
    xml::Writer w;
    w.open("a", {{"k", "\"<&>"}}).leaf("b", "x < y & 'z'").close();
    EXPECT_EQ(w.str(), R"(<a k="&quot;&lt;&amp;&gt;"><b>x &lt; y &amp; &apos;z&apos;</b></a>)");
    auto parsed = xml::parse(w.str());
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed.value().text("/a/b"), "x < y & 'z'");
}

TEST(Soap, EnvelopeRoundTripsTheXRoadHeader) {
    soap::XRoadHeader header;
    header.client = {"SEVDEIR-TEST", "GOV", "12345678", "VIKNO"};
    header.service = {"SEVDEIR-TEST", "GOV", "00015622", "DRACS", "BirthRecordExtract", "v1"};
    header.id = "id-1";
    header.user_id = "operator-1";
    header.issue = "case-1";
    auto parsed = xml::parse(soap::build_envelope(header, R"(<q xmlns="urn:test"/>)"));
    ASSERT_TRUE(parsed.ok());
    auto read = soap::read_header(parsed.value());
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(read.value().service.service_code, "BirthRecordExtract");
    EXPECT_EQ(read.value().client.member_code, "12345678");
    EXPECT_EQ(read.value().protocol_version, "4.0");
    auto body = soap::body_element(parsed.value());
    ASSERT_TRUE(body.ok());
    EXPECT_EQ(xml::local_name(body.value()), "q");
}

TEST(Soap, HeaderWithoutIdOrWrongVersionIsRefused) {
    auto parsed = xml::parse(R"(<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
        xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" xmlns:id="http://x-road.eu/xsd/identifiers"><soap:Header>
        <xrd:client id:objectType="MEMBER"><id:xRoadInstance>A</id:xRoadInstance><id:memberClass>GOV</id:memberClass>
        <id:memberCode>1</id:memberCode></xrd:client><xrd:service id:objectType="SERVICE"><id:xRoadInstance>A</id:xRoadInstance>
        <id:memberClass>GOV</id:memberClass><id:memberCode>2</id:memberCode><id:serviceCode>s</id:serviceCode></xrd:service>
        <xrd:userId>u</xrd:userId><xrd:protocolVersion>3.1</xrd:protocolVersion></soap:Header><soap:Body/></soap:Envelope>)");
    ASSERT_TRUE(parsed.ok());
    auto header = soap::read_header(parsed.value());
    ASSERT_FALSE(header.ok());
    EXPECT_NE(header.error().message.find("xrd:id"), std::string::npos);
}
