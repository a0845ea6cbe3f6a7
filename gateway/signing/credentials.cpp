#include "signing/credentials.h"

#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>

#include <spdlog/spdlog.h>

#include <ctime>
#include <fstream>

namespace vikno::gateway {
namespace {

std::once_flag ssl_once;

void init_ssl() {
    std::call_once(ssl_once, [] { Poco::Net::initializeSSL(); });
}

void require_readable(const Config& config, const std::string& key, const std::string& path) {
    if (!std::ifstream(path)) {
        throw ConfigError(config.source + ": " + key + ": cannot read '" + path +
                          "' (for development run certs/make-dev-pki.sh; see certs/README.md)");
    }
}

crypto::Certificate certificate(const Config& config, const std::string& key, const std::string& path) {
    require_readable(config, key, path);
    auto loaded = crypto::Certificate::load_pem_file(path);
    if (!loaded) throw ConfigError(config.source + ": " + key + ": " + loaded.error().message);
    return loaded.value();
}

Poco::Net::Context::Ptr make_context(const Config& config, const std::string& key, Poco::Net::Context::Usage usage,
                                     const KeyPairConfig& identity, const std::string& ca_file,
                                     Poco::Net::Context::VerificationMode mode) {
    require_readable(config, key + ".certificate", identity.certificate);
    require_readable(config, key + ".key", identity.key);
    require_readable(config, key + " CA", ca_file);
    try {
        Poco::Net::Context::Params params;
        params.privateKeyFile = identity.key;
        params.certificateFile = identity.certificate;
        params.caLocation = ca_file;
        params.verificationMode = mode;
        params.verificationDepth = 4;
        params.loadDefaultCAs = false;
        params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES";
        auto context = Poco::Net::Context::Ptr(new Poco::Net::Context(usage, params));
        context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
        // Poco's "extended" check compares a peer's certificate with the peer's host name. For a
        // server that is the client's address, which an office's or a person's certificate never
        // names: with it every client not on localhost would be refused after the handshake. The
        // chain to the client CA is still checked by OpenSSL; the common name by the API.
        if (usage == Poco::Net::Context::TLS_SERVER_USE) {
            context->enableExtendedCertificateVerification(false);
            // A browser resumes its first connection's TLS session on the next ones. OpenSSL refuses
            // to resume a session whose client certificate it verified unless the context has a
            // session id context: without one every second connection failed its handshake. Each
            // listener names its own, so a session from the API is never resumed on the console.
            context->enableSessionCache(true, "vikno " + key.substr(0, key.find(' ')));
        }
        return context;
    } catch (const Poco::Exception& e) {
        throw ConfigError(config.source + ": " + key + ": cannot use " + identity.certificate + " / " + identity.key +
                          " / " + ca_file + ": " + e.displayText() + " (is the key the certificate's? are they PEM?)");
    }
}

}  // namespace

Poco::Net::Context::Ptr tls_client_context(const std::string& ca_file, const KeyPairConfig& identity) {
    init_ssl();
    Poco::Net::Context::Params params;
    params.privateKeyFile = identity.key;
    params.certificateFile = identity.certificate;
    params.caLocation = ca_file;
    params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    params.loadDefaultCAs = ca_file.empty();
    auto context = Poco::Net::Context::Ptr(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params));
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    return context;
}

std::map<std::string, std::string> registry_certificates_pem(const Config& config) {
    std::map<std::string, std::string> out;
    for (const auto& plugin : config.plugins) {
        if (auto pinned = crypto::Certificate::load_pem_file(plugin.answer_certificate)) {
            out["registry " + plugin.file] = pinned.value().pem();
        }
    }
    return out;
}

Credentials Credentials::load(const Config& config) {
    init_ssl();
    Credentials credentials;
    const std::time_t now = std::time(nullptr);

    const crypto::Certificate signing_certificate =
        certificate(config, "signing.certificate", config.signing.certificate);
    if (auto valid = signing_certificate.check_valid_at(now); !valid) {
        throw ConfigError(config.source + ": signing.certificate: " + config.signing.certificate + ": " +
                          valid.error().message +
                          "; registries would refuse every message (renew it, see certs/README.md)");
    }
    auto signer = crypto::open_signer(config.signing.key, signing_certificate);
    if (!signer) throw ConfigError(config.source + ": signing.key: " + signer.error().message);
    credentials.signer_ = std::move(signer.value());

    credentials.api_tls_ =
        make_context(config, "server.tls", Poco::Net::Context::TLS_SERVER_USE, config.server.tls.identity,
                     config.server.tls.client_ca, Poco::Net::Context::VERIFY_RELAXED);
    for (std::size_t i = 0; i < config.plugins.size(); ++i) {
        const auto& plugin = config.plugins[i];
        const std::string key = "plugins.load[" + std::to_string(i) + "]";
        crypto::Certificate pinned = certificate(config, key + ".answer_certificate", plugin.answer_certificate);
        if (auto valid = pinned.check_valid_at(now); !valid) {
            spdlog::warn(
                "{}: {}.answer_certificate {}: {}; every answer from this registry will be refused until a "
                "current certificate is configured",
                config.source, key, plugin.answer_certificate, valid.error().message);
        }
        credentials.registries_.push_back(
            {std::move(pinned),
             make_context(config, key + ".tls_ca with registry_tls", Poco::Net::Context::TLS_CLIENT_USE,
                          config.registry_tls, plugin.tls_ca, Poco::Net::Context::VERIFY_STRICT)});
    }
    if (!config.callbacks.tls_ca.empty()) {
        credentials.callback_tls_ =
            make_context(config, "callbacks.tls_ca with registry_tls", Poco::Net::Context::TLS_CLIENT_USE,
                         config.registry_tls, config.callbacks.tls_ca, Poco::Net::Context::VERIFY_STRICT);
    }
    if (config.console.enabled) {
        // STRICT: the handshake itself refuses a client without a certificate from the console's CA,
        // so nobody else reaches even the login-free pages.
        credentials.console_tls_ =
            make_context(config, "console.client_ca with server.tls", Poco::Net::Context::TLS_SERVER_USE,
                         config.server.tls.identity, config.console.client_ca, Poco::Net::Context::VERIFY_STRICT);
    }
    return credentials;
}

}  // namespace vikno::gateway
