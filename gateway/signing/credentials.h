#pragma once
// The gateway's keys and the certificates it trusts, loaded and checked once at start: the message
// signing key, the API's TLS identity and CNAP CA, and per registry the pinned answer-signing
// certificate and the TLS context (registry CA, the gateway's client certificate).

#include "config/config.h"

#include <vikno/signing.h>

#include <Poco/Net/Context.h>

#include <map>
#include <memory>
#include <vector>

namespace vikno::gateway {

struct RegistryTrust {
    crypto::Certificate answer_certificate;  ///< answers must verify with exactly this key
    Poco::Net::Context::Ptr tls;             ///< verifies the registry's server certificate
};

class Credentials {
public:
    /// Throws ConfigError "FILE: KEY: problem" naming the file that is missing, unreadable,
    /// expired or does not match its key.
    static Credentials load(const Config& config);

    const crypto::Signer& signer() const { return *signer_; }
    Poco::Net::Context::Ptr api_tls() const { return api_tls_; }
    /// For config.plugins[index].
    const RegistryTrust& registry(std::size_t index) const { return registries_.at(index); }
    /// Verifies CNAP back-ends (callbacks.tls_ca) and shows registry_tls; null without callbacks.
    Poco::Net::Context::Ptr callback_tls() const { return callback_tls_; }
    /// The web console's server context: the gateway's TLS identity, a client certificate from
    /// console.client_ca required; null without a console.
    Poco::Net::Context::Ptr console_tls() const { return console_tls_; }

private:
    std::shared_ptr<crypto::Signer> signer_;
    Poco::Net::Context::Ptr api_tls_;
    std::vector<RegistryTrust> registries_;
    Poco::Net::Context::Ptr callback_tls_;
    Poco::Net::Context::Ptr console_tls_;
};

/// The registries' pinned answer certificates (PEM) by "registry <library file>", for evidence
/// bundles; a certificate that cannot be read is left out (the bundle's own checks do not need it).
std::map<std::string, std::string> registry_certificates_pem(const Config& config);

/// A TLS client context that trusts `ca_file` and shows `identity` (the CLI and tests use it too).
Poco::Net::Context::Ptr tls_client_context(const std::string& ca_file, const KeyPairConfig& identity);

}  // namespace vikno::gateway
