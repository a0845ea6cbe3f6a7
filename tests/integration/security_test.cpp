// Signed messages, verified answers and authenticated clients, across real processes: the gateway
// signs what it sends (and xmlsec1 agrees), refuses answers that fail any check while keeping the
// exchange, refuses a registry with the wrong TLS certificate, and lets only known offices in.
#include "harness.h"

#include <vikno/xml_dsig.h>

#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>

#include <gtest/gtest.h>

#include <ctime>
#include <fstream>

using namespace vikno::testing;

namespace {

std::string key() { return "sec-" + std::to_string(std::rand()) + "-" + std::to_string(std::time(nullptr)); }

std::string last_note(const Poco::JSON::Object::Ptr& c) {
    const auto history = c->getArray("history");
    return history->getObject(history->size() - 1)->getValue<std::string>("note");
}

// Submits a sample against a simulator answering with `answer_signature`; the final case.
Poco::JSON::Object::Ptr case_against(Stack& stack, const std::string& answer_signature, std::string* id = nullptr) {
    stack.start_simulator({"--answer-signature", answer_signature});
    stack.start_gateway();
    const std::string case_id = stack.submit("birth-extract", key());
    if (id != nullptr) *id = case_id;
    return stack.wait_final(case_id);
}

}  // namespace

TEST(Signing, TheRegistryReceivesSignedRequestsThatXmlsecVerifies) {
    Stack stack;
    stack.start_simulator();
    stack.start_gateway();
    EXPECT_EQ(stack.wait_final(stack.submit("marriage-extract", key()))->getValue<std::string>("status"), "completed");
    const std::string request = stack.record_body(1);
    ASSERT_NE(request.find("<ds:Signature"), std::string::npos);
    EXPECT_TRUE(
        vikno::xmldsig::verify_envelope(
            request, vikno::crypto::Certificate::load_pem_file(pki("gateway-signing.crt")).value(), std::time(nullptr))
            .ok());
    const std::string file = stack.dir + "/wire-request.xml";
    std::ofstream(file) << request;
    const std::string command = "xmlsec1 --verify --enabled-key-data key-value --pubkey-cert-pem " +
                                pki("gateway-signing.crt") +
                                " --id-attr:Id http://schemas.xmlsoap.org/soap/envelope/:Header"
                                " --id-attr:Id http://schemas.xmlsoap.org/soap/envelope/:Body " +
                                file + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

TEST(Signing, UnsignedAnswerFailsTheCaseAndTheExchangeIsKept) {
    Stack stack;
    std::string id;
    const auto done = case_against(stack, "none", &id);
    EXPECT_EQ(done->getValue<std::string>("status"), "failed");
    EXPECT_NE(last_note(done).find("answer refused: signature_missing"), std::string::npos) << last_note(done);
    EXPECT_EQ(done->getObject("outcome")->getValue<std::string>("message_en"),
              "The registry's answer failed signature verification; the request was not completed");
    const auto exchanges = stack.stored_exchanges(id);
    ASSERT_EQ(exchanges.size(), 1U);
    EXPECT_NE(exchanges[0].response.find("BirthRecordExtractResponse"), std::string::npos);
    EXPECT_EQ(stack.records().size(), 1U);  // refused for good: not sent again
}

TEST(Signing, TamperedAnswerIsADigestMismatch) {
    Stack stack;
    const auto done = case_against(stack, "tampered");
    EXPECT_EQ(done->getValue<std::string>("status"), "failed");
    EXPECT_NE(last_note(done).find("answer refused: digest_mismatch"), std::string::npos) << last_note(done);
}

TEST(Signing, AnswerSignedByAnotherKeyIsRefusedDespiteItsKeyInfo) {
    Stack stack;
    const auto done = case_against(stack, "foreign");
    EXPECT_EQ(done->getValue<std::string>("status"), "failed");
    EXPECT_NE(last_note(done).find("answer refused: keyinfo_untrusted"), std::string::npos) << last_note(done);
}

TEST(Signing, ExpiredRegistryCertificateIsRefused) {
    Stack stack;
    stack.pinned_registry = "civil_registry-signing-expired";
    stack.start_simulator({"--signing-cert", pki("civil_registry-signing-expired.crt"), "--signing-key",
                           pki("civil_registry-signing-expired.key")});
    stack.start_gateway();
    const auto done = stack.wait_final(stack.submit("birth-extract", key()));
    EXPECT_EQ(done->getValue<std::string>("status"), "failed");
    EXPECT_NE(last_note(done).find("answer refused: certificate_expired"), std::string::npos) << last_note(done);
}

TEST(Signing, TheSimulatorRefusesAnUnsignedRequestWithASignedFault) {
    Stack stack;
    stack.start_simulator();
    std::ifstream golden(std::string(VIKNO_SOURCE_DIR) + "/plugins/civil_registry/tests/golden/birth-extract.xml");
    const std::string unsigned_request((std::istreambuf_iterator<char>(golden)), std::istreambuf_iterator<char>());
    const auto reply = http(stack.simulator_address, "POST", "/", unsigned_request,
                            {{"Content-Type", "text/xml; charset=UTF-8"}}, "gateway-tls");
    EXPECT_EQ(reply.status, 500);
    EXPECT_NE(reply.body.find("signature rejected: signature_missing"), std::string::npos) << reply.body;
    EXPECT_TRUE(vikno::xmldsig::verify_envelope(
                    reply.body, vikno::crypto::Certificate::load_pem_file(pki("civil_registry-signing.crt")).value(),
                    std::time(nullptr))
                    .ok());
}

TEST(RegistryTls, AWrongServerCertificateFailsTheExchangeWithTheReason) {
    Stack stack;
    stack.registry_tls_ca = "cnap-ca";  // not the CA that issued the simulator's certificate
    stack.start_simulator();
    stack.start_gateway();
    const auto done = stack.wait_final(stack.submit("birth-extract", key()));
    EXPECT_EQ(done->getValue<std::string>("status"), "failed");
    EXPECT_NE(last_note(done).find("TLS with 127.0.0.1"), std::string::npos) << last_note(done);
    EXPECT_NE(last_note(done).find("tls_ca"), std::string::npos) << last_note(done);
    EXPECT_TRUE(stack.records().empty());  // nothing reached the registry
}

TEST(ClientAuth, NoCertificateIsForbiddenButHealthStaysOpen) {
    Stack stack;
    stack.start_simulator();
    stack.start_gateway();
    const auto reply = http(stack.gateway_address, "POST", "/v1/cases", sample_case("birth-extract"),
                            {{"Content-Type", "application/json"}, {"Idempotency-Key", key()}}, "");
    EXPECT_EQ(reply.status, 403);
    EXPECT_EQ(reply.content_type, "application/problem+json");
    EXPECT_EQ(reply.json()->getValue<std::string>("type"), "urn:vikno:problem:client-certificate-required");
    EXPECT_EQ(http(stack.gateway_address, "GET", "/v1/services", "", {}, "").status, 403);
    EXPECT_EQ(http(stack.gateway_address, "GET", "/healthz", "", {}, "").status, 200);
}

TEST(ClientAuth, ACertificateFromAnotherCaIsRefusedDuringTheHandshake) {
    Stack stack;
    stack.start_simulator();
    stack.start_gateway();
    // Same office name, but issued by someone else's CA: the TLS handshake fails, nothing is read.
    EXPECT_THROW(http(stack.gateway_address, "GET", "/v1/services", "", {}, "other-client"), Poco::Exception);
    EXPECT_EQ(http(stack.gateway_address, "GET", "/v1/services").status, 200);
}

TEST(ClientAuth, AnOfficeMayRequestOnlyItsServicesAndOnlyAsItself) {
    Stack stack;
    stack.start_simulator();
    stack.start_gateway();
    const std::map<std::string, std::string> headers{{"Content-Type", "application/json"}, {"Idempotency-Key", key()}};
    // kyiv-cnap-11 may request death extracts only.
    std::string marriage = sample_case("marriage-extract");
    marriage.replace(marriage.find("vinnytsia-po-01"), 15, "kyiv-cnap-11");
    auto reply = http(stack.gateway_address, "POST", "/v1/cases", marriage, headers, "office-kyiv");
    EXPECT_EQ(reply.status, 403);
    EXPECT_EQ(reply.json()->getValue<std::string>("type"), "urn:vikno:problem:service-not-allowed");
    EXPECT_EQ(reply.json()->getArray("errors")->getObject(0)->getValue<std::string>("field"), "service");
    // Kharkiv's certificate cannot submit a case in Vinnytsia's name.
    reply =
        http(stack.gateway_address, "POST", "/v1/cases", sample_case("marriage-extract"), headers, "office-kharkiv");
    EXPECT_EQ(reply.status, 403);
    EXPECT_EQ(reply.json()->getValue<std::string>("type"), "urn:vikno:problem:office-mismatch");
    EXPECT_EQ(reply.json()->getArray("errors")->getObject(0)->getValue<std::string>("field"), "office.id");
    // Each office sees only the services it may request.
    const auto services =
        http(stack.gateway_address, "GET", "/v1/services", "", {}, "office-kyiv").json()->getArray("services");
    ASSERT_EQ(services->size(), 1U);
    EXPECT_EQ(services->getObject(0)->getValue<std::string>("code"), "drac.death-extract");
    EXPECT_TRUE(stack.records().empty());
}
