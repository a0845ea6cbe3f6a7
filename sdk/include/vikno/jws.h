#pragma once
// Detached JWS (RFC 7515, appendix F) for registries whose API asks for one (signature profile
// DetachedJws): the compact serialisation with an empty payload part travels in a header, the
// payload is the message body. Protected header: `alg` (ES256 or RS256), `kid` (the certificate
// thumbprint), `iat`. Note that it covers the body only, not the method or the target: prefer
// HttpMessageSig where the registry allows a choice.

#include <vikno/result.h>
#include <vikno/signing.h>

#include <ctime>
#include <string>
#include <string_view>

namespace vikno::jws {

inline constexpr const char* kHeader = "X-JWS-Signature";
inline constexpr std::time_t kMaxClockSkewSeconds = 300;

/// `BASE64URL(header)..BASE64URL(signature)` over `payload`.
Result<std::string> sign_detached(std::string_view payload, const crypto::Signer& signer, std::time_t issued_at);

/// Errors: `signature_missing` (empty), `signature_malformed` (not three parts, payload attached,
/// header not JSON), `header_duplicated` (a member name twice), `iat_not_numeric`, `algorithm_weak`,
/// `algorithm_refused` (`none`, HMAC, unknown), `keyinfo_untrusted`
/// (`kid` of another key, or an `x5c` that is not the pinned certificate), `signature_stale`,
/// `certificate_expired`, `certificate_not_yet_valid`, `signature_invalid`.
Result<bool> verify_detached(std::string_view compact, std::string_view payload, const crypto::Certificate& pinned,
                             std::time_t now);

}  // namespace vikno::jws
