#include "signing/message_signing.h"

#include <vikno/http_signature.h>
#include <vikno/jws.h>
#include <vikno/xml_dsig.h>

namespace vikno::gateway {
namespace {

httpsig::HttpMessage request_message(const Exchange& exchange, const std::string& target_uri) {
    httpsig::HttpMessage message;
    message.method = exchange.method;
    message.target_uri = target_uri;
    message.headers = exchange.headers;
    if (!exchange.content_type.empty()) message.headers.emplace_back("Content-Type", exchange.content_type);
    message.body = exchange.body;
    return message;
}

bool is_parse_failure(const std::string& code) {
    return code == "xml_malformed" || code == "xml_too_large" || code == "xml_too_deep";
}

}  // namespace

Result<bool> sign_request(SignatureProfile profile, Exchange& exchange, const std::string& target_uri,
                          const crypto::Signer& signer, std::time_t now) {
    switch (profile) {
        case SignatureProfile::None:
            return true;
        case SignatureProfile::XmlDsigXRoad: {
            auto signed_body = xmldsig::sign_envelope(exchange.body, signer);
            if (!signed_body) return signed_body.error();
            exchange.body = std::move(signed_body.value());
            return true;
        }
        case SignatureProfile::HttpMessageSig: {
            httpsig::HttpMessage message = request_message(exchange, target_uri);
            if (auto r = httpsig::sign(message, signer, now); !r) return r.error();
            // The transport writes Content-Type itself; keep only the headers the signing added.
            for (const auto& header : message.headers) {
                const std::string& name = header.first;
                if (name == "Content-Digest" || name == "Signature-Input" || name == "Signature") {
                    exchange.headers.push_back(header);
                }
            }
            return true;
        }
        case SignatureProfile::DetachedJws: {
            auto signature = jws::sign_detached(exchange.body, signer, now);
            if (!signature) return signature.error();
            exchange.headers.emplace_back(jws::kHeader, std::move(signature.value()));
            return true;
        }
    }
    return Error{"profile_unknown", "unknown signature profile"};
}

AnswerCheck check_answer(SignatureProfile profile, const Exchange& sent, const RegistryAnswer& answer,
                         const crypto::Certificate& pinned, std::time_t now) {
    if (profile == SignatureProfile::None) return {AnswerCheck::Outcome::Verified, ""};
    Result<bool> verified = true;
    if (profile == SignatureProfile::XmlDsigXRoad) {
        // The signed header's xrd:id binds the answer to this request (a replayed or misrouted answer
        // to another case verifies as well, but is not this case's answer).
        verified = xmldsig::verify_envelope(answer.body, pinned, now, sent.message_id);
    } else if (profile == SignatureProfile::DetachedJws) {
        verified = jws::verify_detached(answer.header(jws::kHeader), answer.body, pinned, now);
        // The JWS covers the body only: the echoed X-Road-Id is outside it (docs/signing.md says so),
        // but a mismatch still shows a misrouted answer.
        const std::string echoed = answer.header("X-Road-Id");
        if (verified && !echoed.empty() && echoed != sent.message_id) {
            verified = Error{"answer_mismatch", "the answer is for message " + echoed + ", not " + sent.message_id};
        }
    } else {
        httpsig::HttpMessage message;
        message.status = answer.status;
        message.headers = answer.headers;
        message.body = answer.body;
        // X-Road REST: the service echoes X-Road-Id, which the answer's signature covers.
        const std::string request_id = find_header(sent.headers, "X-Road-Id");
        const bool xroad = !request_id.empty();
        verified = httpsig::verify(message, pinned, now,
                                   xroad ? httpsig::BindingHeaders{"X-Road-Id"} : httpsig::BindingHeaders{});
        if (const std::string echoed = answer.header("X-Road-Id"); verified && xroad && echoed != request_id) {
            verified = Error{"answer_mismatch", "the answer is for message " + echoed + ", not " + request_id};
        }
    }
    if (verified) return {AnswerCheck::Outcome::Verified, ""};
    const Error& error = verified.error();
    const std::string reason = "answer refused: " + error.code + ": " + error.message;
    // An unsigned server error or a cut-short body is not the registry's word: try again later.
    // Anything that looks like a registry answer but fails a check is refused for good.
    // A signed server fault that names no request (X-Road lets a fault leave out the header) is not
    // this case's answer either way: it cannot fail the case, only delay it.
    const bool unsigned_failure =
        answer.status >= 500 &&
        (error.code == "signature_missing" || error.code == "soap_envelope_invalid" || error.code == "answer_unbound");
    const bool not_an_answer = unsigned_failure || is_parse_failure(error.code);
    return {not_an_answer ? AnswerCheck::Outcome::Transient : AnswerCheck::Outcome::Refused, reason};
}

Result<std::string> check_callback(const httpsig::HttpMessage& callback, const std::string& binding_header,
                                   const crypto::Certificate& pinned, std::time_t now) {
    if (auto verified = httpsig::verify(callback, pinned, now, {binding_header}); !verified) return verified.error();
    const std::string correlation = find_header(callback.headers, binding_header);
    if (correlation.empty()) return Error{"binding_missing", binding_header + " is empty"};
    return correlation;
}

}  // namespace vikno::gateway
