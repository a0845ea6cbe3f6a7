#pragma once
// HTTP Message Signatures (RFC 9421) with Content-Digest (RFC 9530), the signature profile
// HttpMessageSig for REST and plain-XML exchanges.
//
// A request signature covers `@method`, `@target-uri`, `content-digest`, `content-type` (when
// present) and every X-Road/UXP header the request carries (`x-road-client`, `x-road-id`,
// `x-road-userid`, `x-road-issue`, `x-road-service`). An answer's signature covers `@status`,
// `content-digest`, `content-type` and `x-road-id` (the request's id echoed, which binds the answer
// to its request). Parameters: `created`, `keyid` (the certificate thumbprint), `alg`.
//
// A message can be bound to something by a header of its own (Diia's callback names its request in
// X-Document-Request-Trace-Id): sign() covers the headers given as `bound`, and verify() with the
// same names accepts the message only when each is present once and covered by the signature.

#include <vikno/exchange.h>
#include <vikno/result.h>
#include <vikno/signing.h>

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

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

/// Header names (any case) that bind a message to what it answers, covered beyond the profile's own.
using BindingHeaders = std::vector<std::string>;

/// Adds Content-Digest, Signature-Input and Signature (label `sig1`) to the message's headers; the
/// signature also covers each header of `bound` that the message carries.
Result<bool> sign(HttpMessage& message, const crypto::Signer& signer, std::time_t created,
                  const BindingHeaders& bound = {});

/// Checks the message's signature against the pinned key. Errors name the failed check:
/// `signature_missing`, `signature_malformed`, `algorithm_weak`, `algorithm_refused`,
/// `components_missing`, `signature_stale`, `keyinfo_untrusted` (keyid of another key),
/// `digest_mismatch`, `certificate_expired`, `certificate_not_yet_valid`, `signature_invalid`;
/// for each header of `bound`: `binding_missing` (absent), `binding_duplicated` (given twice, so
/// a reader could take another value than the signed one), `binding_uncovered` (not signed).
Result<bool> verify(const HttpMessage& message, const crypto::Certificate& pinned, std::time_t now,
                    const BindingHeaders& bound = {});

}  // namespace vikno::httpsig
