#pragma once
// The simulator's side of the signature profiles: it checks each request's signature against the
// gateway's pinned certificate and signs each answer with the registry's key, as a registry does.

#include <vikno/sim/simulator.h>

#include <memory>
#include <optional>
#include <string>

namespace vikno::sim {

class MessageSecurity {
public:
    /// Loads the keys and certificates; throws std::runtime_error naming the option and the file.
    MessageSecurity(const SecurityOptions& options, SignatureProfile profile);

    /// Empty when the request's signature is good; otherwise the failed check.
    std::string check_request(const Request& request, const std::string& scheme) const;
    /// Signs the answer in place as `mode` says.
    void sign_answer(const Request& request, Response& response, AnswerSignature mode) const;

private:
    SignatureProfile profile_;
    std::unique_ptr<crypto::Signer> signer_;
    std::unique_ptr<crypto::Signer> foreign_;
    std::optional<crypto::Certificate> client_;
};

}  // namespace vikno::sim
