#pragma once
// HTTP Message Signatures (RFC 9421) with Content-Digest (RFC 9530), the signature profile
// HttpMessageSig for REST and plain-XML exchanges.
//
// A request signature covers `@method`, `@target-uri`, `content-digest`, `content-type` (when
// present) and every X-Road/UXP header the request carries (`x-road-client`, `x-road-id`,
// `x-road-userid`, `x-road-issue`, `x-road-service`). An answer's signature covers `@status`,
// `content-digest`, `content-type` and `x-road-id` (the request's id echoed, which binds the answer
// to its request). Parameters: `created`, `keyid` (the certificate thumbprint), `alg`.

#include <vikno/exchange.h>
#include <vikno/result.h>
#include <vikno/signing.h>

#include <ctime>
#include <string>
#include <string_view>

namespace vikno::httpsig {

/// A request (method and target_uri set) or an answer (status set) as it goes on the wire.
struct HttpMessage {
    std::string method;
    std::string target_uri;  ///< absolute: scheme, authority, path and query as sent
    int status = 0;          ///< non-zero for answers
    Headers headers;         ///< including Content-Type when the message has a body
    std::string body;

    bool is_response() const { return status != 0; }
};

/// How far `created` may lie from the verifier's clock.
inline constexpr std::time_t kMaxClockSkewSeconds = 300;

/// `sha-256=:BASE64:` for the body.
std::string content_digest(std::string_view body);

/// Adds Content-Digest, Signature-Input and Signature (label `sig1`) to the message's headers.
Result<bool> sign(HttpMessage& message, const crypto::Signer& signer, std::time_t created);

/// Checks the message's signature against the pinned key. Errors name the failed check:
/// `signature_missing`, `signature_malformed`, `algorithm_weak`, `algorithm_refused`,
/// `components_missing`, `signature_stale`, `keyinfo_untrusted` (keyid of another key),
/// `digest_mismatch`, `certificate_expired`, `certificate_not_yet_valid`, `signature_invalid`.
Result<bool> verify(const HttpMessage& message, const crypto::Certificate& pinned, std::time_t now);

}  // namespace vikno::httpsig
