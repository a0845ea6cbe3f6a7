// RFC 9421 HTTP Message Signatures with RFC 9530 Content-Digest: round trips for requests and
// answers, and each refusal.
#include <vikno/http_signature.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>

using namespace vikno;

namespace {

std::unique_ptr<crypto::Signer> signer(const std::string& name, const std::string& dir = VIKNO_TEST_PKI_DIR) {
    return std::move(crypto::open_signer(dir + "/" + name + ".key", dir + "/" + name + ".crt").value());
}

httpsig::HttpMessage request() {
    httpsig::HttpMessage m;
    m.method = "GET";
    m.target_uri = "https://127.0.0.1:8093/r1/SEVDEIR-TEST/GOV/00015622/EDR/subjects?code=3652504575";
    m.headers = {{"X-Road-Client", "SEVDEIR-TEST/GOV/12345678/VIKNO"},
                 {"X-Road-Id", "4f1e2d3c-0000-4000-8000-000000000001"},
                 {"X-Road-UserId", "operator-17"},
                 {"Content-Type", "application/json"}};
    m.body = "";
    return m;
}

httpsig::HttpMessage answer() {
    httpsig::HttpMessage m;
    m.status = 200;
    m.headers = {{"Content-Type", "application/json"}, {"X-Road-Id", "4f1e2d3c-0000-4000-8000-000000000001"}};
    m.body = R"([{"id":1,"code":"3652504575","name":"ФОП Іваненко"}])";
    return m;
}

std::string code(const httpsig::HttpMessage& m, const std::string& pinned = "gateway-signing",
                 std::time_t now = std::time(nullptr)) {
    const auto cert =
        crypto::Certificate::load_pem_file(std::string(VIKNO_TEST_PKI_DIR) + "/" + pinned + ".crt").value();
    const auto result = httpsig::verify(m, cert, now);
    return result.ok() ? "ok" : result.error().code;
}

httpsig::HttpMessage signed_request() {
    auto m = request();
    EXPECT_TRUE(httpsig::sign(m, *signer("gateway-signing"), std::time(nullptr)).ok());
    return m;
}

void set_header(httpsig::HttpMessage& m, const std::string& name, const std::string& value) {
    for (auto& [n, v] : m.headers) {
        if (n == name) v = value;
    }
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

}  // namespace

TEST(HttpSignature, RequestRoundTripCoversTheXRoadHeaders) {
    const auto m = signed_request();
    EXPECT_EQ(code(m), "ok");
    const std::string input = find_header(m.headers, "Signature-Input");
    EXPECT_NE(
        input.find(
            R"(("@method" "@target-uri" "content-digest" "content-type" "x-road-client" "x-road-id" "x-road-userid"))"),
        std::string::npos)
        << input;
    EXPECT_NE(input.find(R"(alg="ecdsa-p256-sha256")"), std::string::npos);
    EXPECT_EQ(find_header(m.headers, "Content-Digest"), "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:");
}

TEST(HttpSignature, AnswerRoundTripWithRsa) {
    auto m = answer();
    const auto rsa = signer("gateway-signing", std::string(VIKNO_TEST_PKI_DIR) + "-rsa");
    ASSERT_TRUE(httpsig::sign(m, *rsa, std::time(nullptr)).ok());
    EXPECT_TRUE(httpsig::verify(m, rsa->certificate(), std::time(nullptr)).ok());
    EXPECT_NE(find_header(m.headers, "Signature-Input").find("\"@status\""), std::string::npos);
}

TEST(HttpSignature, ChangedBodyIsADigestMismatch) {
    auto m = answer();
    ASSERT_TRUE(httpsig::sign(m, *signer("business-signing"), std::time(nullptr)).ok());
    EXPECT_EQ(code(m, "business-signing"), "ok");
    m.body[10] = '2';
    EXPECT_EQ(code(m, "business-signing"), "digest_mismatch");
}

TEST(HttpSignature, ChangedCoveredValuesBreakTheSignature) {
    auto m = signed_request();
    set_header(m, "X-Road-Client", "SEVDEIR-TEST/GOV/87654321/EVIL");
    EXPECT_EQ(code(m), "signature_invalid");
    m = signed_request();
    m.target_uri += "&code=3068208400";
    EXPECT_EQ(code(m), "signature_invalid");
    m = signed_request();
    m.method = "DELETE";
    EXPECT_EQ(code(m), "signature_invalid");
    auto a = answer();
    ASSERT_TRUE(httpsig::sign(a, *signer("business-signing"), std::time(nullptr)).ok());
    a.status = 404;
    EXPECT_EQ(code(a, "business-signing"), "signature_invalid");
}

TEST(HttpSignature, AnUncoveredXRoadHeaderIsRefused) {
    auto m = signed_request();
    m.headers.emplace_back("X-Road-Issue", "case-2");
    EXPECT_EQ(code(m), "components_missing");
}

TEST(HttpSignature, UnsignedIsRefused) { EXPECT_EQ(code(request()), "signature_missing"); }

TEST(HttpSignature, AnotherKeyIsRefusedByKeyId) {
    auto m = request();
    ASSERT_TRUE(httpsig::sign(m, *signer("attacker-signing"), std::time(nullptr)).ok());
    EXPECT_EQ(code(m), "keyinfo_untrusted");
}

TEST(HttpSignature, WeakAndUnknownAlgorithmsAreRefused) {
    auto m = signed_request();
    set_header(m, "Signature-Input",
               replace_all(find_header(m.headers, "Signature-Input"), "ecdsa-p256-sha256", "rsa-v1_5-sha1"));
    EXPECT_EQ(code(m), "algorithm_weak");
    m = signed_request();
    set_header(m, "Signature-Input",
               replace_all(find_header(m.headers, "Signature-Input"), "ecdsa-p256-sha256", "hmac-sha256"));
    EXPECT_EQ(code(m), "algorithm_refused");
}

TEST(HttpSignature, StaleSignaturesAreRefused) {
    auto m = request();
    ASSERT_TRUE(httpsig::sign(m, *signer("gateway-signing"), std::time(nullptr) - 3600).ok());
    EXPECT_EQ(code(m), "signature_stale");
}

TEST(HttpSignature, ExpiredCertificateIsRefused) {
    auto m = answer();
    ASSERT_TRUE(httpsig::sign(m, *signer("civil_registry-signing-expired"), std::time(nullptr)).ok());
    EXPECT_EQ(code(m, "civil_registry-signing-expired"), "certificate_expired");
}

namespace {

constexpr const char* kTrace = "X-Document-Request-Trace-Id";

// A registry's callback naming its request in a header of its own (Diia's shape).
httpsig::HttpMessage callback(bool bind = true) {
    httpsig::HttpMessage m;
    m.method = "POST";
    m.target_uri = "https://127.0.0.1:8443/v1/callbacks/diia";
    m.headers = {{"Content-Type", "multipart/form-data; boundary=b"}, {kTrace, "request-a"}};
    m.body = "--b--\r\n";
    EXPECT_TRUE(httpsig::sign(m, *signer("business-signing"), std::time(nullptr),
                              bind ? httpsig::BindingHeaders{kTrace} : httpsig::BindingHeaders{})
                    .ok());
    return m;
}

std::string bound_code(const httpsig::HttpMessage& m) {
    const auto cert =
        crypto::Certificate::load_pem_file(std::string(VIKNO_TEST_PKI_DIR) + "/business-signing.crt").value();
    const auto result = httpsig::verify(m, cert, std::time(nullptr), {"x-document-request-trace-id"});
    return result.ok() ? "ok" : result.error().code;
}

}  // namespace

TEST(HttpSignature, ABindingHeaderIsCoveredAndChecked) {
    const auto m = callback();
    EXPECT_EQ(bound_code(m), "ok");
    EXPECT_NE(find_header(m.headers, "Signature-Input").find("\"x-document-request-trace-id\""), std::string::npos);
}

TEST(HttpSignature, ACallbackRetargetedToAnotherRequestIsRefused) {
    auto m = callback();
    set_header(m, kTrace, "request-b");
    EXPECT_EQ(bound_code(m), "signature_invalid");
}

TEST(HttpSignature, ABindingHeaderTheSignatureDoesNotCoverIsRefused) {
    // Genuinely signed, but over the profile's components only: the header could say anything.
    auto m = callback(false);
    EXPECT_EQ(code(m, "business-signing"), "ok");
    EXPECT_EQ(bound_code(m), "binding_uncovered");
}

TEST(HttpSignature, ABindingHeaderGivenTwiceOrNotAtAllIsRefused) {
    auto twice = callback();
    twice.headers.insert(twice.headers.begin(), {kTrace, "request-b"});
    EXPECT_EQ(bound_code(twice), "binding_duplicated");
    auto missing = callback();
    missing.headers.erase(
        std::remove_if(missing.headers.begin(), missing.headers.end(), [](const auto& h) { return h.first == kTrace; }),
        missing.headers.end());
    EXPECT_EQ(bound_code(missing), "binding_missing");
}
