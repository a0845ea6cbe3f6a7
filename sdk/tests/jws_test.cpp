// Detached JWS (RFC 7515 appendix F): round trips and refusals.
#include <vikno/jws.h>

#include <gtest/gtest.h>

#include <ctime>

using namespace vikno;

namespace {

std::unique_ptr<crypto::Signer> signer(const std::string& name, const std::string& dir = VIKNO_TEST_PKI_DIR) {
    return std::move(crypto::open_signer(dir + "/" + name + ".key", dir + "/" + name + ".crt").value());
}

crypto::Certificate pinned(const std::string& name = "gateway-signing") {
    return crypto::Certificate::load_pem_file(std::string(VIKNO_TEST_PKI_DIR) + "/" + name + ".crt").value();
}

const std::string kPayload = R"({"offerId":"offer-1","requestId":"4f1e2d3c-0000-4000-8000-000000000001"})";

std::string code(const std::string& compact, const std::string& payload = kPayload,
                 const crypto::Certificate& cert = pinned()) {
    const auto result = jws::verify_detached(compact, payload, cert, std::time(nullptr));
    return result.ok() ? "ok" : result.error().code;
}

std::string header_of(const std::string& json) { return crypto::base64url(json); }

}  // namespace

TEST(Jws, DetachedRoundTripWithEcdsaAndRsa) {
    const std::string compact = jws::sign_detached(kPayload, *signer("gateway-signing"), std::time(nullptr)).value();
    EXPECT_NE(compact.find(".."), std::string::npos);  // detached: the payload part is empty
    EXPECT_EQ(code(compact), "ok");
    const auto rsa = signer("gateway-signing", std::string(VIKNO_TEST_PKI_DIR) + "-rsa");
    const std::string rs256 = jws::sign_detached(kPayload, *rsa, std::time(nullptr)).value();
    EXPECT_TRUE(jws::verify_detached(rs256, kPayload, rsa->certificate(), std::time(nullptr)).ok());
}

TEST(Jws, ChangedPayloadDoesNotVerify) {
    const std::string compact = jws::sign_detached(kPayload, *signer("gateway-signing"), std::time(nullptr)).value();
    EXPECT_EQ(code(compact, kPayload + " "), "signature_invalid");
}

TEST(Jws, NoneHmacAndAttachedPayloadsAreRefused) {
    const std::string compact = jws::sign_detached(kPayload, *signer("gateway-signing"), std::time(nullptr)).value();
    const std::string signature = compact.substr(compact.rfind('.') + 1);
    const std::string now = std::to_string(std::time(nullptr));
    EXPECT_EQ(code(header_of(R"({"alg":"none","iat":)" + now + "}") + ".."), "algorithm_refused");
    EXPECT_EQ(code(header_of(R"({"alg":"HS256","iat":)" + now + "}") + ".." + signature), "algorithm_refused");
    EXPECT_EQ(code(header_of(R"({"alg":"RS1","iat":)" + now + "}") + ".." + signature), "algorithm_weak");
    EXPECT_EQ(code(compact.substr(0, compact.find('.') + 1) + crypto::base64url(kPayload) + "." + signature),
              "signature_malformed");
    EXPECT_EQ(code(""), "signature_missing");
}

TEST(Jws, AnotherKeyAndExpiredCertificatesAreRefused) {
    const std::string foreign = jws::sign_detached(kPayload, *signer("attacker-signing"), std::time(nullptr)).value();
    EXPECT_EQ(code(foreign), "keyinfo_untrusted");
    const auto expired = signer("civil_registry-signing-expired");
    const std::string old = jws::sign_detached(kPayload, *expired, std::time(nullptr)).value();
    EXPECT_EQ(code(old, kPayload, expired->certificate()), "certificate_expired");
    const std::string stale =
        jws::sign_detached(kPayload, *signer("gateway-signing"), std::time(nullptr) - 3600).value();
    EXPECT_EQ(code(stale), "signature_stale");
}

namespace {

// A JWS over `header_json` as given, genuinely signed by the pinned key.
std::string signed_with_header(const std::string& header_json) {
    const std::string protected_header = header_of(header_json);
    const auto signature =
        signer("gateway-signing")->sign(protected_header + "." + crypto::base64url(kPayload)).value();
    return protected_header + ".." + crypto::base64url(signature);
}

}  // namespace

TEST(Jws, AHeaderNamingAMemberTwiceIsRefused) {
    const std::string now = std::to_string(std::time(nullptr));
    const std::string kid = pinned().thumbprint();
    // The same header with each member once verifies: the refusal below is for the duplicate only.
    EXPECT_EQ(code(signed_with_header(R"({"alg":"ES256","kid":")" + kid + R"(","iat":)" + now + "}")), "ok");
    EXPECT_EQ(code(signed_with_header(R"({"alg":"none","alg":"ES256","kid":")" + kid + R"(","iat":)" + now + "}")),
              "header_duplicated");
    EXPECT_EQ(code(signed_with_header(R"({"alg":"ES256","kid":")" + kid + R"(","iat":)" + now + R"(,"iat":0})")),
              "header_duplicated");
}

TEST(Jws, AnIatThatIsNotANumberIsRefused) {
    const std::string now = std::to_string(std::time(nullptr));
    const std::string kid = pinned().thumbprint();
    EXPECT_EQ(code(signed_with_header(R"({"alg":"ES256","kid":")" + kid + R"(","iat":")" + now + "\"}")),
              "iat_not_numeric");
    EXPECT_EQ(code(signed_with_header(R"({"alg":"ES256","kid":")" + kid + R"(","iat":true})")), "iat_not_numeric");
}
