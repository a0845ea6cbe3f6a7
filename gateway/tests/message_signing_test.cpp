// The gateway's application of each signature profile: a request it signs verifies with the SDK
// (as the registry would check it), and an answer is Verified, Transient or Refused as documented.
#include "signing/message_signing.h"

#include <vikno/http_signature.h>
#include <vikno/jws.h>
#include <vikno/soap.h>
#include <vikno/xml_dsig.h>

#include <gtest/gtest.h>

#include <ctime>

using namespace vikno;
using namespace vikno::gateway;

namespace {

std::string pki(const std::string& name) { return std::string(VIKNO_TEST_PKI_DIR) + "/" + name; }

const crypto::Signer& gateway_key() {
    static const auto s =
        std::move(crypto::open_signer(pki("gateway-signing.key"), pki("gateway-signing.crt")).value());
    return *s;
}
const crypto::Signer& registry_key() {
    static const auto s =
        std::move(crypto::open_signer(pki("business-signing.key"), pki("business-signing.crt")).value());
    return *s;
}

Exchange soap_exchange() {
    soap::XRoadHeader header;
    header.client = {"SEVDEIR-TEST", "GOV", "12345678", "VIKNO"};
    header.service = {"SEVDEIR-TEST", "GOV", "00015622", "DRACS", "BirthRecordExtract", "v1"};
    header.id = "m-1";
    header.user_id = "operator-17";
    Exchange exchange;
    exchange.content_type = soap::kContentType;
    exchange.body = soap::build_envelope(header, R"(<x:Q xmlns:x="urn:x">1</x:Q>)");
    exchange.message_id = "m-1";
    return exchange;
}

Exchange rest_exchange() {
    Exchange exchange;
    exchange.protocol = Protocol::Rest;
    exchange.method = "POST";
    exchange.path = "/r1/SEVDEIR-TEST/GOV/00015622/EDR/registrations";
    exchange.content_type = "application/json";
    exchange.headers = {{"X-Road-Client", "SEVDEIR-TEST/GOV/12345678/VIKNO"}, {"X-Road-Id", "m-1"}};
    exchange.body = R"({"code":"3652504575"})";
    exchange.message_id = "m-1";
    return exchange;
}

const std::string kUri = "https://127.0.0.1:8093/r1/SEVDEIR-TEST/GOV/00015622/EDR/registrations";

RegistryAnswer signed_rest_answer(SignatureProfile profile, const std::string& body, int status = 200,
                                  const std::string& id = "m-1") {
    RegistryAnswer answer;
    answer.status = status;
    answer.body = body;
    answer.headers = {{"Content-Type", "application/json"}, {"X-Road-Id", id}};
    if (profile == SignatureProfile::DetachedJws) {
        answer.headers.emplace_back(jws::kHeader, jws::sign_detached(body, registry_key(), std::time(nullptr)).value());
    } else {
        httpsig::HttpMessage message{"", "", status, answer.headers, body};
        EXPECT_TRUE(httpsig::sign(message, registry_key(), std::time(nullptr)).ok());
        answer.headers = message.headers;
    }
    return answer;
}

AnswerCheck::Outcome check(SignatureProfile profile, const RegistryAnswer& answer) {
    return check_answer(profile, rest_exchange(), answer, registry_key().certificate(), std::time(nullptr)).outcome;
}

}  // namespace

TEST(MessageSigning, XmlDsigRequestVerifiesAsTheRegistryChecksIt) {
    Exchange exchange = soap_exchange();
    ASSERT_TRUE(sign_request(SignatureProfile::XmlDsigXRoad, exchange, kUri, gateway_key(), std::time(nullptr)).ok());
    EXPECT_TRUE(xmldsig::verify_envelope(exchange.body, gateway_key().certificate(), std::time(nullptr)).ok());
}

TEST(MessageSigning, HttpSignatureRequestCoversTheTargetAndContentType) {
    Exchange exchange = rest_exchange();
    ASSERT_TRUE(sign_request(SignatureProfile::HttpMessageSig, exchange, kUri, gateway_key(), std::time(nullptr)).ok());
    httpsig::HttpMessage message{exchange.method, kUri, 0, exchange.headers, exchange.body};
    message.headers.emplace_back("Content-Type", exchange.content_type);  // the transport writes it
    EXPECT_TRUE(httpsig::verify(message, gateway_key().certificate(), std::time(nullptr)).ok());
    message.target_uri += "?other=1";
    EXPECT_FALSE(httpsig::verify(message, gateway_key().certificate(), std::time(nullptr)).ok());
}

TEST(MessageSigning, DetachedJwsRequestVerifiesOverTheBody) {
    Exchange exchange = rest_exchange();
    ASSERT_TRUE(sign_request(SignatureProfile::DetachedJws, exchange, kUri, gateway_key(), std::time(nullptr)).ok());
    EXPECT_TRUE(jws::verify_detached(find_header(exchange.headers, jws::kHeader), exchange.body,
                                     gateway_key().certificate(), std::time(nullptr))
                    .ok());
}

TEST(MessageSigning, AnswersAreVerifiedRefusedOrRetried) {
    for (const auto profile : {SignatureProfile::HttpMessageSig, SignatureProfile::DetachedJws}) {
        EXPECT_EQ(check(profile, signed_rest_answer(profile, R"({"id":1})")), AnswerCheck::Outcome::Verified);
        RegistryAnswer tampered = signed_rest_answer(profile, R"({"id":1})");
        tampered.body = R"({"id":2})";
        EXPECT_EQ(check(profile, tampered), AnswerCheck::Outcome::Refused);
        // A verified answer to another message is not this request's answer.
        EXPECT_EQ(check(profile, signed_rest_answer(profile, R"({"id":1})", 200, "m-2")),
                  AnswerCheck::Outcome::Refused);
        // A proxy's unsigned 502 is not the registry's word: retry.
        RegistryAnswer proxy{502, {{"Content-Type", "text/html"}}, "<html>Bad gateway</html>"};
        EXPECT_EQ(check(profile, proxy), AnswerCheck::Outcome::Transient);
        // An unsigned 200 is refused.
        RegistryAnswer bare{200, {{"Content-Type", "application/json"}}, R"({"id":1})"};
        EXPECT_EQ(check(profile, bare), AnswerCheck::Outcome::Refused);
    }
}

TEST(MessageSigning, ACutShortSoapAnswerIsRetriedAndAnUnsignedOneRefused) {
    RegistryAnswer cut{200, {}, soap_exchange().body.substr(0, 100)};
    EXPECT_EQ(check_answer(SignatureProfile::XmlDsigXRoad, soap_exchange(), cut, registry_key().certificate(),
                           std::time(nullptr))
                  .outcome,
              AnswerCheck::Outcome::Transient);
    RegistryAnswer bare{200, {}, soap_exchange().body};
    const auto refused = check_answer(SignatureProfile::XmlDsigXRoad, soap_exchange(), bare,
                                      registry_key().certificate(), std::time(nullptr));
    EXPECT_EQ(refused.outcome, AnswerCheck::Outcome::Refused);
    EXPECT_EQ(refused.reason.rfind("answer refused: signature_missing", 0), 0U) << refused.reason;
}

namespace {

std::string refusal(SignatureProfile profile, const Exchange& sent, const RegistryAnswer& answer) {
    const auto checked = check_answer(profile, sent, answer, registry_key().certificate(), std::time(nullptr));
    return checked.outcome == AnswerCheck::Outcome::Verified ? "verified"
                                                             : checked.reason.substr(0, checked.reason.find(':', 17));
}

}  // namespace

// What binds an answer to its request is inside the signature, and an answer without it is refused.
TEST(MessageSigning, AGenuineRestAnswerForAnotherCaseOrWithoutItsMessageIdIsRefused) {
    const auto profile = SignatureProfile::HttpMessageSig;
    EXPECT_EQ(refusal(profile, rest_exchange(), signed_rest_answer(profile, R"({"id":1})")), "verified");
    EXPECT_EQ(refusal(profile, rest_exchange(), signed_rest_answer(profile, R"({"id":1})", 200, "m-2")),
              "answer refused: answer_mismatch");
    // Signed by the registry, but naming no request: it could be any case's answer.
    RegistryAnswer unbound{200, {{"Content-Type", "application/json"}}, R"({"id":1})"};
    httpsig::HttpMessage message{"", "", 200, unbound.headers, unbound.body};
    ASSERT_TRUE(httpsig::sign(message, registry_key(), std::time(nullptr)).ok());
    unbound.headers = message.headers;
    EXPECT_EQ(refusal(profile, rest_exchange(), unbound), "answer refused: binding_missing");
    // The X-Road-Id added after signing is not covered.
    unbound.headers.emplace_back("X-Road-Id", "m-1");
    EXPECT_EQ(refusal(profile, rest_exchange(), unbound), "answer refused: binding_uncovered");
}

TEST(MessageSigning, AGenuineSoapAnswerForAnotherMessageIsRefused) {
    const std::string answer = xmldsig::sign_envelope(soap_exchange().body, registry_key()).value();
    Exchange sent = soap_exchange();
    EXPECT_EQ(refusal(SignatureProfile::XmlDsigXRoad, sent, {200, {}, answer}), "verified");
    sent.message_id = "m-2";
    EXPECT_EQ(refusal(SignatureProfile::XmlDsigXRoad, sent, {200, {}, answer}), "answer refused: answer_mismatch");
}
