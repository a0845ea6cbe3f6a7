// Signer and Verifier over OpenSSL: round trips for both key types, and every refusal.
#include <vikno/signing.h>

#include <gtest/gtest.h>

#include <ctime>

using namespace vikno;

namespace {

std::string pki(const std::string& file) { return std::string(VIKNO_TEST_PKI_DIR) + "/" + file; }
std::string rsa_pki(const std::string& file) { return std::string(VIKNO_TEST_PKI_DIR) + "-rsa/" + file; }

std::unique_ptr<crypto::Signer> signer(const std::string& key, const std::string& cert) {
    auto opened = crypto::open_signer(key, cert);
    EXPECT_TRUE(opened.ok()) << (opened.ok() ? "" : opened.error().message);
    return std::move(opened.value());
}

}  // namespace

TEST(Signing, EcdsaRoundTrip) {
    const auto s = signer(pki("gateway-signing.key"), pki("gateway-signing.crt"));
    EXPECT_EQ(s->algorithm().name, "ecdsa-p256-sha256");
    const auto signature = s->sign("the data").value();
    EXPECT_EQ(signature.size(), 64U);  // r||s, as XML-DSig, RFC 9421 and JWS want it
    const auto verifier = crypto::pinned_verifier(s->certificate());
    EXPECT_TRUE(verifier->verify(s->algorithm(), "the data", signature, std::time(nullptr)).ok());
    const auto wrong = verifier->verify(s->algorithm(), "the datA", signature, std::time(nullptr));
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().code, "signature_invalid");
}

TEST(Signing, RsaRoundTrip) {
    const auto s = signer(rsa_pki("gateway-signing.key"), rsa_pki("gateway-signing.crt"));
    EXPECT_EQ(s->algorithm().name, "rsa-v1_5-sha256");
    const auto signature = s->sign("the data").value();
    EXPECT_EQ(signature.size(), 256U);
    EXPECT_TRUE(crypto::pinned_verifier(s->certificate())
                    ->verify(s->algorithm(), "the data", signature, std::time(nullptr))
                    .ok());
}

TEST(Signing, AnotherKeyDoesNotVerify) {
    const auto gateway = signer(pki("gateway-signing.key"), pki("gateway-signing.crt"));
    const auto attacker = signer(pki("attacker-signing.key"), pki("attacker-signing.crt"));
    const auto result = crypto::pinned_verifier(gateway->certificate())
                            ->verify(attacker->algorithm(), "x", attacker->sign("x").value(), std::time(nullptr));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, "signature_invalid");
}

TEST(Signing, ExpiredPinnedCertificateIsRefused) {
    const auto s = signer(pki("civil_registry-signing-expired.key"), pki("civil_registry-signing-expired.crt"));
    const auto result = crypto::pinned_verifier(s->certificate())
                            ->verify(s->algorithm(), "x", s->sign("x").value(), std::time(nullptr));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, "certificate_expired");
    EXPECT_NE(result.error().message.find("2021-01-01"), std::string::npos) << result.error().message;
}

TEST(Signing, AlgorithmMustMatchThePinnedKey) {
    const auto ec = signer(pki("gateway-signing.key"), pki("gateway-signing.crt"));
    const auto result = crypto::pinned_verifier(ec->certificate())
                            ->verify(crypto::rsa_pkcs1_sha256(), "x", std::string(256, 'a'), std::time(nullptr));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, "algorithm_mismatch");
}

TEST(Signing, KeyAndCertificateMustBelongTogether) {
    const auto result = crypto::open_signer(pki("gateway-signing.key"), pki("office-kharkiv.crt"));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, "key_certificate_mismatch");
    EXPECT_NE(result.error().message.find("gateway-signing.key"), std::string::npos);
}

TEST(Signing, MissingFilesNameTheFileAndTheFix) {
    const auto no_key = crypto::open_signer(pki("nope.key"), pki("gateway-signing.crt"));
    ASSERT_FALSE(no_key.ok());
    EXPECT_EQ(no_key.error().code, "key_unreadable");
    EXPECT_NE(no_key.error().message.find("nope.key"), std::string::npos);
    const auto no_cert = crypto::Certificate::load_pem_file(pki("nope.crt"));
    ASSERT_FALSE(no_cert.ok());
    EXPECT_NE(no_cert.error().message.find("make-dev-pki.sh"), std::string::npos);
    const auto garbage = crypto::Certificate::from_pem("not a certificate", "config.jsonc");
    ASSERT_FALSE(garbage.ok());
    EXPECT_EQ(garbage.error().code, "certificate_unreadable");
}

TEST(Signing, WeakAlgorithmsHaveNoEntry) {
    EXPECT_EQ(crypto::algorithm_by_xmldsig_uri("http://www.w3.org/2000/09/xmldsig#rsa-sha1"), nullptr);
    EXPECT_TRUE(crypto::is_weak_algorithm("http://www.w3.org/2000/09/xmldsig#rsa-sha1"));
    EXPECT_TRUE(crypto::is_weak_algorithm("http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1"));
    EXPECT_TRUE(crypto::is_weak_algorithm("rsa-v1_5-sha1"));
    EXPECT_FALSE(crypto::is_weak_algorithm("ecdsa-p256-sha256"));
    EXPECT_NE(crypto::algorithm_by_name("ecdsa-p256-sha256"), nullptr);
}

TEST(Signing, Base64RoundTripsEveryLength) {
    std::string bytes;
    for (int i = 0; i < 40; ++i) {
        EXPECT_EQ(crypto::base64_decode(crypto::base64(bytes)).value(), bytes);
        bytes += static_cast<char>(i * 37);
    }
    EXPECT_EQ(crypto::base64("foobar"), "Zm9vYmFy");
    EXPECT_EQ(crypto::base64("fo"), "Zm8=");
    EXPECT_FALSE(crypto::base64_decode("Zm9v!mFy").ok());
    EXPECT_FALSE(crypto::base64_decode("Zm=v").ok());
    EXPECT_EQ(crypto::base64url("\xfb\xff"), "-_8");
}
