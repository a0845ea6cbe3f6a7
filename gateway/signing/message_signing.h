#pragma once
// Applies a plugin's signature profile: signs each request before it leaves and checks each
// answer before the plugin may read it (docs/signing.md).

#include <vikno/exchange.h>
#include <vikno/http_signature.h>
#include <vikno/signing.h>

#include <ctime>
#include <string>

namespace vikno::gateway {

/// Signs `exchange` in place for `profile`. `target_uri` is the absolute URI it will be sent to
/// (covered by HTTP message signatures). Errors carry the SDK's codes.
Result<bool> sign_request(SignatureProfile profile, Exchange& exchange, const std::string& target_uri,
                          const crypto::Signer& signer, std::time_t now);

struct AnswerCheck {
    enum class Outcome {
        Verified,   ///< the plugin may interpret the answer
        Transient,  ///< not a registry answer at all (unsigned 5xx from a proxy, cut short): retry
        Refused     ///< a registry answer that failed a check: the case fails, the exchange is kept
    };
    Outcome outcome = Outcome::Refused;
    std::string reason;  ///< which check failed, e.g. "digest_mismatch: the digest of the Body ..."
};

AnswerCheck check_answer(SignatureProfile profile, const Exchange& sent, const RegistryAnswer& answer,
                         const crypto::Certificate& pinned, std::time_t now);

/// A registry's callback (an RFC 9421 signed request) checked against the pinned certificate and
/// bound by `binding_header`, which must appear once and be signed. The value of that header (the
/// request it answers) when it is; errors carry the SDK's codes (`binding_missing`,
/// `binding_duplicated`, `binding_uncovered` and the signature's own).
Result<std::string> check_callback(const httpsig::HttpMessage& callback, const std::string& binding_header,
                                   const crypto::Certificate& pinned, std::time_t now);

}  // namespace vikno::gateway
