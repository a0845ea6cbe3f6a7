// XML-DSig on X-Road SOAP envelopes: round trips, interoperability with the xmlsec1 tool, and
// the attacks a verifier must refuse (signature wrapping, key substitution, weak algorithms,
// tampering, XXE, expired certificates).
#include <vikno/soap.h>
#include <vikno/xml_dsig.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <regex>

using namespace vikno;

namespace {

std::string pki(const std::string& file) { return std::string(VIKNO_TEST_PKI_DIR) + "/" + file; }

std::unique_ptr<crypto::Signer> signer(const std::string& name, const std::string& dir = VIKNO_TEST_PKI_DIR) {
    return std::move(crypto::open_signer(dir + "/" + name + ".key", dir + "/" + name + ".crt").value());
}

crypto::Certificate pinned(const std::string& name = "gateway-signing") {
    return crypto::Certificate::load_pem_file(pki(name + ".crt")).value();
}

std::string envelope(
    const std::string& body =
        R"(<drac:BirthExtractRequest xmlns:drac="urn:vikno:registry:drac:1"><drac:Rnokpp>3652504575</drac:Rnokpp></drac:BirthExtractRequest>)") {
    soap::XRoadHeader header;
    header.client = {"SEVDEIR-TEST", "GOV", "12345678", "VIKNO"};
    header.service = {"SEVDEIR-TEST", "GOV", "00015622", "DRACS", "BirthExtract", "v1"};
    header.id = "4f1e2d3c-0000-4000-8000-000000000001";
    header.user_id = "operator-17";
    header.issue = "case-1";
    return soap::build_envelope(header, body);
}

std::string signed_envelope() { return xmldsig::sign_envelope(envelope(), *signer("gateway-signing")).value(); }

std::string verify_code(const std::string& text, const crypto::Certificate& cert = pinned()) {
    const auto result = xmldsig::verify_envelope(text, cert, std::time(nullptr));
    return result.ok() ? "ok" : result.error().code + ": " + result.error().message;
}

std::string code_of(const std::string& text) {
    const std::string full = verify_code(text);
    return full.substr(0, full.find(':'));
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << "test setup: '" << from << "' not in the message";
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

// The signed <soap:Body ...>...</soap:Body> element as text.
std::string body_of(const std::string& text) {
    const auto start = text.find("<soap:Body");
    const auto end = text.find("</soap:Body>") + std::string("</soap:Body>").size();
    return text.substr(start, end - start);
}

const std::string kEvilBody =
    R"(<soap:Body><drac:BirthExtractRequest xmlns:drac="urn:vikno:registry:drac:1"><drac:Rnokpp>3068208400</drac:Rnokpp></drac:BirthExtractRequest></soap:Body>)";

std::string write_temp(const std::string& text) {
    char name[] = "/tmp/vikno-dsig-XXXXXX";
    const int fd = mkstemp(name);
    close(fd);
    std::ofstream(name) << text;
    return name;
}

int run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }

}  // namespace

TEST(XmlDsig, EcdsaRoundTrip) {
    const std::string text = signed_envelope();
    EXPECT_EQ(verify_code(text), "ok");
    EXPECT_NE(text.find(R"(<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"/>)"),
              std::string::npos);
    EXPECT_NE(text.find("<ds:X509Certificate>"), std::string::npos);
}

TEST(XmlDsig, RsaRoundTrip) {
    const auto rsa = signer("gateway-signing", std::string(VIKNO_TEST_PKI_DIR) + "-rsa");
    const std::string text = xmldsig::sign_envelope(envelope(), *rsa).value();
    EXPECT_EQ(xmldsig::verify_envelope(text, rsa->certificate(), std::time(nullptr)).ok(), true);
    EXPECT_NE(text.find("xmldsig-more#rsa-sha256"), std::string::npos);
}

TEST(XmlDsig, SignedEnvelopeStillValidatesAgainstTheXRoadSchemas) {
    const std::string file = write_temp(signed_envelope());
    const std::string schemas = std::string(VIKNO_SOURCE_DIR) + "/sdk/share/xroad";
    EXPECT_EQ(run("xmllint --noout --schema " + schemas + "/soap11-envelope.xsd " + file), 0);
    std::remove(file.c_str());
}

// The profile's promise to auditors and registries: the standard tool verifies it with nothing but
// the gateway's certificate (docs/signing.md shows the same command).
TEST(XmlDsig, XmlsecCommandLineToolVerifiesTheGatewaysSignature) {
    const std::string file = write_temp(signed_envelope());
    const std::string id_attrs =
        " --id-attr:Id http://schemas.xmlsoap.org/soap/envelope/:Header"
        " --id-attr:Id http://schemas.xmlsoap.org/soap/envelope/:Body ";
    EXPECT_EQ(run("xmlsec1 --verify --enabled-key-data key-value --pubkey-cert-pem " + pki("gateway-signing.crt") +
                  id_attrs + file),
              0);
    // and refuses it with another certificate, or once one byte of the body changed
    EXPECT_NE(run("xmlsec1 --verify --enabled-key-data key-value --pubkey-cert-pem " + pki("attacker-signing.crt") +
                  id_attrs + file),
              0);
    std::ofstream(file) << replace(signed_envelope(), "3652504575", "3652504576");
    EXPECT_NE(run("xmlsec1 --verify --enabled-key-data key-value --pubkey-cert-pem " + pki("gateway-signing.crt") +
                  id_attrs + file),
              0);
    std::remove(file.c_str());
}

TEST(XmlDsig, OneChangedByteIsADigestMismatch) {
    EXPECT_EQ(code_of(replace(signed_envelope(), "3652504575", "3652504576")), "digest_mismatch");
    EXPECT_EQ(code_of(replace(signed_envelope(), "operator-17", "operator-18")), "digest_mismatch");
}

TEST(XmlDsig, ARemovedSignatureIsRefused) {
    std::string text = signed_envelope();
    const auto start = text.find("<ds:Signature");
    const auto end = text.find("</ds:Signature>") + std::string("</ds:Signature>").size();
    text.erase(start, end - start);
    EXPECT_EQ(code_of(text), "signature_missing");
    EXPECT_EQ(code_of(envelope()), "signature_missing");
}

TEST(XmlDsig, AnotherKeyWithItsOwnCertificateInKeyInfoIsRefused) {
    const std::string forged = xmldsig::sign_envelope(envelope(), *signer("attacker-signing")).value();
    EXPECT_EQ(code_of(forged), "keyinfo_untrusted");
    // Without the KeyInfo the signature simply does not match the pinned key.
    const auto start = forged.find("<ds:KeyInfo>");
    const auto end = forged.find("</ds:KeyInfo>") + std::string("</ds:KeyInfo>").size();
    std::string bare = forged;
    bare.erase(start, end - start);
    EXPECT_EQ(code_of(bare), "signature_invalid");
}

TEST(XmlDsig, Sha1IsRefusedAsWeak) {
    EXPECT_EQ(code_of(replace(signed_envelope(), "xmldsig-more#ecdsa-sha256", "xmldsig-more#ecdsa-sha1")),
              "algorithm_weak");
    EXPECT_EQ(code_of(replace(signed_envelope(), "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
                              "http://www.w3.org/2000/09/xmldsig#rsa-sha1")),
              "algorithm_weak");
    EXPECT_EQ(code_of(replace(signed_envelope(), "http://www.w3.org/2001/04/xmlenc#sha256",
                              "http://www.w3.org/2000/09/xmldsig#sha1")),
              "algorithm_weak");
}

TEST(XmlDsig, ExpiredCertificateIsRefused) {
    const auto expired = signer("civil_registry-signing-expired");
    const std::string text = xmldsig::sign_envelope(envelope(), *expired).value();
    const auto result = xmldsig::verify_envelope(text, expired->certificate(), std::time(nullptr));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, "certificate_expired");
}

TEST(XmlDsig, XxeInsideASignedDocumentIsRefusedBeforeAnything) {
    const std::string text =
        "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" +
        replace(signed_envelope().substr(signed_envelope().find("<soap:Envelope")), "operator-17", "&x;");
    EXPECT_EQ(code_of(text), "xml_doctype_forbidden");
}

// The eight signature-wrapping variants: each keeps the genuinely signed Body somewhere in the
// message while the envelope's own Body (what a plugin would read) is the attacker's.
TEST(XmlDsig, WrappingDuplicatedBodyAfterTheSignedOne) {
    const std::string text = signed_envelope();
    EXPECT_EQ(code_of(replace(text, "</soap:Envelope>", kEvilBody + "</soap:Envelope>")), "soap_envelope_invalid");
}

TEST(XmlDsig, WrappingEvilBodyFirstSignedBodySecond) {
    const std::string text = signed_envelope();
    EXPECT_EQ(code_of(replace(text, "<soap:Body", kEvilBody + "<soap:Body")), "soap_envelope_invalid");
}

TEST(XmlDsig, WrappingSignedBodyMovedIntoAHeaderWrapper) {
    std::string text = signed_envelope();
    const std::string body = body_of(text);
    text = replace(text, body, kEvilBody);
    text = replace(text, "<ds:Signature", "<w:Wrapper xmlns:w=\"urn:w\">" + body + "</w:Wrapper><ds:Signature");
    EXPECT_EQ(code_of(text), "reference_invalid");  // the envelope's Body carries no Id
}

TEST(XmlDsig, WrappingEvilBodyTakesTheSignedId) {
    std::string text = signed_envelope();
    const std::string body = body_of(text);
    const std::string evil =
        replace(kEvilBody, "<soap:Body>",
                "<soap:Body xmlns:wsu=\"" + std::string(xmldsig::kWsuNs) + "\" wsu:Id=\"soap-body\">");
    text = replace(text, body, evil);
    text = replace(text, "<ds:Signature", "<w:Wrapper xmlns:w=\"urn:w\">" + body + "</w:Wrapper><ds:Signature");
    EXPECT_EQ(code_of(text), "id_duplicated");
}

TEST(XmlDsig, WrappingSignedBodyNestedInsideTheEvilBody) {
    std::string text = signed_envelope();
    const std::string body = body_of(text);
    const std::string evil =
        replace(kEvilBody, "</soap:Body>", "<w:Wrapper xmlns:w=\"urn:w\">" + body + "</w:Wrapper></soap:Body>");
    text = replace(
        text, body,
        replace(evil, "<soap:Body>", "<soap:Body xmlns:wsu=\"" + std::string(xmldsig::kWsuNs) + "\" wsu:Id=\"evil\">"));
    EXPECT_EQ(code_of(text), "reference_invalid");
}

TEST(XmlDsig, WrappingSignedBodyHiddenInADsObject) {
    std::string text = signed_envelope();
    const std::string body = body_of(text);
    text = replace(text, body, kEvilBody);
    text = replace(text, "</ds:Signature>", "<ds:Object>" + body + "</ds:Object></ds:Signature>");
    EXPECT_EQ(code_of(text), "reference_invalid");
}

TEST(XmlDsig, WrappingSignatureMovedIntoTheBody) {
    std::string text = signed_envelope();
    const auto start = text.find("<ds:Signature");
    const auto end = text.find("</ds:Signature>") + std::string("</ds:Signature>").size();
    const std::string signature = text.substr(start, end - start);
    text.erase(start, end - start);
    text = replace(text, "</soap:Body>", signature + "</soap:Body>");
    EXPECT_EQ(code_of(text), "signature_misplaced");
}

TEST(XmlDsig, WrappingSecondSignatureByTheAttacker) {
    const std::string genuine = signed_envelope();
    const std::string forged = xmldsig::sign_envelope(envelope(), *signer("attacker-signing")).value();
    const auto start = forged.find("<ds:Signature");
    const auto end = forged.find("</ds:Signature>") + std::string("</ds:Signature>").size();
    EXPECT_EQ(code_of(replace(genuine, "</soap:Header>", forged.substr(start, end - start) + "</soap:Header>")),
              "signature_duplicated");
}

TEST(XmlDsig, WrappingReferenceRedirectedToAnotherElement) {
    std::string text = signed_envelope();
    text = replace(text, "URI=\"#soap-body\"", "URI=\"#other\"");
    text = replace(text, "<drac:Rnokpp>",
                   "<drac:Rnokpp xmlns:wsu=\"" + std::string(xmldsig::kWsuNs) + "\" wsu:Id=\"other\">");
    EXPECT_EQ(code_of(text), "reference_invalid");
}

TEST(XmlDsig, SigningTwiceIsRefused) {
    const auto again = xmldsig::sign_envelope(signed_envelope(), *signer("gateway-signing"));
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, "already_signed");
}

// Content inside ds:Signature that no reference covers: accepting it would let the next reader
// trust a forged record because "the signature verified".
TEST(XmlDsig, AnExtraDsObjectWithAForgedRecordIsRefused) {
    std::string text = signed_envelope();
    text = replace(text, "</ds:Signature>",
                   "<ds:Object><xrd:id xmlns:xrd=\"http://x-road.eu/xsd/xroad.xsd\">forged</xrd:id>" + kEvilBody +
                       "</ds:Object></ds:Signature>");
    EXPECT_EQ(code_of(text), "signature_content_refused");
}

TEST(XmlDsig, AnAttributeOnTheSignatureIsRefused) {
    std::string text = replace(signed_envelope(), "<ds:Signature ", "<ds:Signature Id=\"sig\" ");
    EXPECT_EQ(code_of(text), "signature_attribute_refused");
}

TEST(XmlDsig, AKeyNameInKeyInfoIsRefused) {
    std::string text =
        replace(signed_envelope(), "<ds:KeyInfo>", "<ds:KeyInfo><ds:KeyName>registry-signing</ds:KeyName>");
    EXPECT_EQ(code_of(text), "keyinfo_refused");
    text = replace(signed_envelope(), "</ds:X509Data>", "<ds:X509SubjectName>CN=x</ds:X509SubjectName></ds:X509Data>");
    EXPECT_EQ(code_of(text), "keyinfo_refused");
}

TEST(XmlDsig, AnUnknownElementInSignedInfoOrAReferenceIsRefused) {
    EXPECT_EQ(code_of(replace(signed_envelope(), "</ds:SignedInfo>", "<ds:Manifest/></ds:SignedInfo>")),
              "signature_content_refused");
    EXPECT_EQ(code_of(replace(signed_envelope(), "<ds:DigestValue>", "<ds:Object/><ds:DigestValue>")),
              "signature_content_refused");
    EXPECT_EQ(code_of(replace(signed_envelope(), "<ds:Reference URI", "<ds:Reference Type=\"urn:x\" URI")),
              "signature_attribute_refused");
}

TEST(XmlDsig, SignatureWithoutKeyInfoStillVerifies) {
    std::string text = signed_envelope();
    const auto start = text.find("<ds:KeyInfo>");
    const auto end = text.find("</ds:KeyInfo>") + std::string("</ds:KeyInfo>").size();
    text.erase(start, end - start);
    EXPECT_EQ(verify_code(text), "ok");
}

// The answer's xrd:id, inside the signed header, binds it to its request.
TEST(XmlDsig, AGenuineAnswerForAnotherMessageIsRefusedByItsMessageId) {
    const auto cert = pinned();
    const std::string text = signed_envelope();
    EXPECT_TRUE(xmldsig::verify_envelope(text, cert, std::time(nullptr), "4f1e2d3c-0000-4000-8000-000000000001").ok());
    const auto other = xmldsig::verify_envelope(text, cert, std::time(nullptr), "4f1e2d3c-0000-4000-8000-000000000002");
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.error().code, "answer_mismatch");

    std::string no_id = envelope();
    const auto start = no_id.find("<xrd:id>");
    const auto end = no_id.find("</xrd:id>") + std::string("</xrd:id>").size();
    no_id.erase(start, end - start);
    const auto unbound = xmldsig::verify_envelope(xmldsig::sign_envelope(no_id, *signer("gateway-signing")).value(),
                                                  cert, std::time(nullptr), "4f1e2d3c-0000-4000-8000-000000000001");
    ASSERT_FALSE(unbound.ok());
    EXPECT_EQ(unbound.error().code, "answer_unbound");
}
