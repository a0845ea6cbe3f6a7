#pragma once
// Signing and verifying bytes, independent of any message format. The message profiles
// (xml_dsig.h, http_signature.h) build what is signed and call these; they never touch a key.
//
// Why an interface: the key may live in a PEM file, on a token reached through PKCS#11, or be a
// DSTU 4145 key served by an OpenSSL provider. Each is one more Signer/Verifier implementation;
// no plugin and no profile changes (see docs/signing.md, "Other keys and algorithms").

#include <vikno/result.h>

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>

struct x509_st;

namespace vikno::crypto {

/// A signature algorithm with the name each profile uses for it. Only strong algorithms have an
/// entry: SHA-1, MD5 and RSA keys under 2048 bits are refused by every lookup below.
struct Algorithm {
    std::string name;         ///< RFC 9421 registry name, e.g. `ecdsa-p256-sha256`
    std::string xmldsig_uri;  ///< XML-DSig SignatureMethod, e.g. `...xmldsig-more#ecdsa-sha256`
    std::string jws;          ///< RFC 7518 `alg`, e.g. `ES256`
};

const Algorithm& ecdsa_p256_sha256();
const Algorithm& rsa_pkcs1_sha256();
/// nullptr for unknown and for weak algorithms.
const Algorithm* algorithm_by_name(std::string_view name);
const Algorithm* algorithm_by_xmldsig_uri(std::string_view uri);
/// True for algorithm identifiers that are known but refused as weak (SHA-1, MD5), so an error can
/// say "weak" rather than "unknown".
bool is_weak_algorithm(std::string_view name_or_uri);

/// An X.509 certificate (shared, immutable).
class Certificate {
public:
    /// Code `certificate_unreadable` names the file and what is wrong with it.
    static Result<Certificate> load_pem_file(const std::string& path);
    static Result<Certificate> from_pem(std::string_view pem, const std::string& source = "PEM text");
    static Result<Certificate> from_der(std::string_view der, const std::string& source = "DER bytes");

    /// The DER encoding; computed once (signatures and key ids need it per message).
    const std::string& der() const { return der_; }
    std::string pem() const;
    std::string subject() const;  ///< one line, e.g. `C=UA, O=..., CN=...`
    std::string common_name() const;
    std::time_t not_before() const;
    std::time_t not_after() const;
    /// SHA-256 of the DER encoding, base64url without padding (a stable key id).
    const std::string& thumbprint() const { return thumbprint_; }
    /// Error `certificate_expired` or `certificate_not_yet_valid`, naming the date.
    Result<bool> check_valid_at(std::time_t when) const;
    bool operator==(const Certificate& other) const { return der() == other.der(); }

    x509_st* get() const noexcept { return cert_.get(); }

private:
    explicit Certificate(std::shared_ptr<x509_st> cert);
    std::shared_ptr<x509_st> cert_;
    std::string der_;
    std::string thumbprint_;
};

/// Makes signatures with one private key. Thread-safe.
class Signer {
public:
    virtual ~Signer() = default;
    virtual const Algorithm& algorithm() const noexcept = 0;
    /// The certificate of the key, sent with signatures (XML-DSig X509Data) and pinned by peers.
    virtual const Certificate& certificate() const noexcept = 0;
    /// Hashes and signs `data`. The signature is in the raw form XML-DSig, RFC 9421 and JWS all use:
    /// r||s (fixed width) for ECDSA, the PKCS#1 v1.5 block for RSA.
    virtual Result<std::string> sign(std::string_view data) const noexcept = 0;
};

/// Checks signatures against one pinned certificate. Thread-safe.
class Verifier {
public:
    virtual ~Verifier() = default;
    virtual const Certificate& certificate() const noexcept = 0;
    /// Ok(true) when `signature` (raw form, as Signer::sign makes it) over `data` was made by the
    /// pinned key with `algorithm`. Errors: `algorithm_mismatch` (the key cannot make such
    /// signatures), `certificate_expired`/`certificate_not_yet_valid` (checked at `now`),
    /// `signature_invalid`.
    virtual Result<bool> verify(const Algorithm& algorithm, std::string_view data, std::string_view signature,
                                std::time_t now) const noexcept = 0;
};

/// A signer backed by OpenSSL. `key` is a PEM file or any URI an OpenSSL 3 store loader accepts
/// (`file:...`, or `pkcs11:...` once a PKCS#11 provider is configured in openssl.cnf). The key must
/// match the certificate. Error codes: `key_unreadable`, `key_unsupported`, `key_certificate_mismatch`.
Result<std::unique_ptr<Signer>> open_signer(const std::string& key, const std::string& certificate_file);
Result<std::unique_ptr<Signer>> open_signer(const std::string& key, const Certificate& certificate);

/// A verifier that trusts exactly this certificate's key (never one sent with the message).
std::unique_ptr<Verifier> pinned_verifier(const Certificate& certificate);

/// A raw signature (as Signer::sign makes it) in the encoding `openssl dgst -verify` expects: DER
/// for ECDSA, unchanged for RSA; and back (error `signature_invalid` when it is not one).
std::string to_der_signature(const Algorithm& algorithm, std::string_view raw);
Result<std::string> from_der_signature(const Algorithm& algorithm, std::string_view der);

/// SHA-256 of `data` (32 raw bytes), and as lower-case hex.
std::string sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
std::string base64(std::string_view bytes);
/// Nullopt-like: error `base64_invalid` for anything but canonical base64 (whitespace allowed).
Result<std::string> base64_decode(std::string_view text);
std::string base64url(std::string_view bytes);

}  // namespace vikno::crypto
