// Signer and Verifier over OpenSSL 3 EVP keys. Keys are opened through OSSL_STORE, so a PEM file
// and a `pkcs11:` URI (with a PKCS#11 provider configured) take the same path.

#include <vikno/signing.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/store.h>
#include <openssl/x509.h>

namespace vikno::crypto {
namespace {

constexpr std::size_t kP256FieldBytes = 32;

using PKey = std::shared_ptr<EVP_PKEY>;

std::string openssl_error() {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) return "no details";
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    return text;
}

// Which of our algorithms this key makes; nullptr for keys we do not accept.
const Algorithm* algorithm_for(EVP_PKEY* key, std::string& why) {
    if (EVP_PKEY_is_a(key, "EC")) {
        char group[64] = {0};
        std::size_t length = 0;
        EVP_PKEY_get_group_name(key, group, sizeof group, &length);
        if (std::string(group) == "prime256v1" || std::string(group) == "P-256") return &ecdsa_p256_sha256();
        why = std::string("EC curve ") + group + " (only P-256 is accepted)";
        return nullptr;
    }
    if (EVP_PKEY_is_a(key, "RSA")) {
        if (EVP_PKEY_get_bits(key) >= 2048) return &rsa_pkcs1_sha256();
        why = "RSA key of " + std::to_string(EVP_PKEY_get_bits(key)) + " bits (at least 2048 are required)";
        return nullptr;
    }
    why = std::string("key type ") + EVP_PKEY_get0_type_name(key) + " (ECDSA P-256 or RSA-2048+ are accepted)";
    return nullptr;
}

// ECDSA signatures travel as r||s; OpenSSL makes and takes DER.
std::string der_to_raw(const unsigned char* der, std::size_t length) {
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(length));
    if (sig == nullptr) return {};
    std::string raw(2 * kP256FieldBytes, '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, kP256FieldBytes);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + kP256FieldBytes, kP256FieldBytes);
    ECDSA_SIG_free(sig);
    return raw;
}

std::string raw_to_der(std::string_view raw) {
    if (raw.size() != 2 * kP256FieldBytes) return {};
    const auto* in = reinterpret_cast<const unsigned char*>(raw.data());
    ECDSA_SIG* sig = ECDSA_SIG_new();
    ECDSA_SIG_set0(sig, BN_bin2bn(in, kP256FieldBytes, nullptr),
                   BN_bin2bn(in + kP256FieldBytes, kP256FieldBytes, nullptr));
    unsigned char* der = nullptr;
    const int length = i2d_ECDSA_SIG(sig, &der);
    ECDSA_SIG_free(sig);
    if (length <= 0) return {};
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
    OPENSSL_free(der);
    return out;
}

class OpenSslSigner final : public Signer {
public:
    OpenSslSigner(PKey key, Certificate certificate, const Algorithm& algorithm)
        : key_(std::move(key)), certificate_(std::move(certificate)), algorithm_(algorithm) {}

    const Algorithm& algorithm() const noexcept override { return algorithm_; }
    const Certificate& certificate() const noexcept override { return certificate_; }

    Result<std::string> sign(std::string_view data) const noexcept override {
        try {
            std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
            std::size_t length = 0;
            const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
            if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
                EVP_DigestSign(ctx.get(), nullptr, &length, bytes, data.size()) != 1) {
                return Error{"sign_failed", openssl_error()};
            }
            std::string signature(length, '\0');
            if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, bytes,
                               data.size()) != 1) {
                return Error{"sign_failed", openssl_error()};
            }
            signature.resize(length);
            if (&algorithm_ == &ecdsa_p256_sha256()) {
                signature = der_to_raw(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
            }
            return signature;
        } catch (const std::exception& e) {
            return Error{"sign_failed", e.what()};
        }
    }

private:
    PKey key_;
    Certificate certificate_;
    const Algorithm& algorithm_;
};

class PinnedVerifier final : public Verifier {
public:
    explicit PinnedVerifier(Certificate certificate) : certificate_(std::move(certificate)) {}

    const Certificate& certificate() const noexcept override { return certificate_; }

    Result<bool> verify(const Algorithm& algorithm, std::string_view data, std::string_view signature,
                        std::time_t now) const noexcept override {
        try {
            if (auto valid = certificate_.check_valid_at(now); !valid) return valid.error();
            EVP_PKEY* key = X509_get0_pubkey(certificate_.get());
            std::string why;
            const Algorithm* key_algorithm = key == nullptr ? nullptr : algorithm_for(key, why);
            if (key_algorithm != &algorithm) {
                return Error{"algorithm_mismatch", "the message says " + algorithm.name + " but the pinned key of '" +
                                                       certificate_.common_name() + "' is " +
                                                       (key_algorithm ? key_algorithm->name : why)};
            }
            std::string der;
            if (&algorithm == &ecdsa_p256_sha256()) {
                der = raw_to_der(signature);
                if (der.empty()) return Error{"signature_invalid", "an ECDSA P-256 signature is 64 bytes (r||s)"};
                signature = der;
            }
            std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
            if (EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1) {
                return Error{"signature_invalid", openssl_error()};
            }
            const int ok =
                EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                                 reinterpret_cast<const unsigned char*>(data.data()), data.size());
            ERR_clear_error();
            if (ok != 1) {
                return Error{"signature_invalid",
                             "the signature does not match the pinned key of '" + certificate_.common_name() + "'"};
            }
            return true;
        } catch (const std::exception& e) {
            return Error{"signature_invalid", e.what()};
        }
    }

private:
    Certificate certificate_;
};

Result<PKey> load_private_key(const std::string& uri) {
    OSSL_STORE_CTX* store = OSSL_STORE_open(uri.c_str(), nullptr, nullptr, nullptr, nullptr);
    if (store == nullptr) {
        return Error{"key_unreadable", uri + ": cannot open the private key: " + openssl_error() +
                                           " (for development, run certs/make-dev-pki.sh)"};
    }
    PKey key;
    while (!key && OSSL_STORE_eof(store) == 0) {
        OSSL_STORE_INFO* info = OSSL_STORE_load(store);
        if (info == nullptr) break;
        if (OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_PKEY) {
            key = PKey(OSSL_STORE_INFO_get1_PKEY(info), EVP_PKEY_free);
        }
        OSSL_STORE_INFO_free(info);
    }
    OSSL_STORE_close(store);
    ERR_clear_error();
    if (!key) return Error{"key_unreadable", uri + ": holds no private key (expected a PEM private key or a key URI)"};
    return key;
}

}  // namespace

Result<std::unique_ptr<Signer>> open_signer(const std::string& key, const Certificate& certificate) {
    auto loaded = load_private_key(key);
    if (!loaded) return loaded.error();
    std::string why;
    const Algorithm* algorithm = algorithm_for(loaded.value().get(), why);
    if (algorithm == nullptr) return Error{"key_unsupported", key + ": " + why};
    if (EVP_PKEY_eq(X509_get0_pubkey(certificate.get()), loaded.value().get()) != 1) {
        ERR_clear_error();
        return Error{"key_certificate_mismatch", key + ": this key does not belong to the certificate '" +
                                                     certificate.subject() + "'; give the matching pair"};
    }
    return std::unique_ptr<Signer>(std::make_unique<OpenSslSigner>(std::move(loaded.value()), certificate, *algorithm));
}

Result<std::unique_ptr<Signer>> open_signer(const std::string& key, const std::string& certificate_file) {
    auto certificate = Certificate::load_pem_file(certificate_file);
    if (!certificate) return certificate.error();
    return open_signer(key, certificate.value());
}

std::string to_der_signature(const Algorithm& algorithm, std::string_view raw) {
    return &algorithm == &ecdsa_p256_sha256() ? raw_to_der(raw) : std::string(raw);
}

Result<std::string> from_der_signature(const Algorithm& algorithm, std::string_view der) {
    if (&algorithm != &ecdsa_p256_sha256()) return std::string(der);
    std::string raw = der_to_raw(reinterpret_cast<const unsigned char*>(der.data()), der.size());
    if (raw.empty()) return Error{"signature_invalid", "not a DER ECDSA signature"};
    return raw;
}

std::unique_ptr<Verifier> pinned_verifier(const Certificate& certificate) {
    return std::make_unique<PinnedVerifier>(certificate);
}

}  // namespace vikno::crypto
