#pragma once
// The read-only web console for auditors and CNAP supervisors (docs/console.md): its own HTTPS
// listener, where the TLS handshake demands a certificate from console.client_ca and the
// certificate's common name must be a configured user, whose role decides what they see.
//
//   /console/            the page, its script and style (shipped in the binary, no build step)
//   /console/api/...     JSON for the page; every answer no-store, errors problem+json
//
// Supervisors see only their own office's cases and figures; only auditors see the audit log.

#include "audit/audit_log.h"
#include "config/config.h"
#include "dispatch/breaker.h"
#include "signing/credentials.h"
#include "situations/definition.h"
#include "store/case_store.h"

#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

#include <cstdint>
#include <memory>

namespace vikno::gateway::console {

class AuditSnapshot;

struct ConsoleContext {
    const Config& config;
    CaseStore& store;
    const Breakers& breakers;
    audit::AuditLog& audit;
    const Credentials& credentials;
    const Situations& situations;  ///< to draw a situation's steps with what each waits for
};

class ConsoleServer {
public:
    explicit ConsoleServer(ConsoleContext context);
    ~ConsoleServer();
    ConsoleServer(const ConsoleServer&) = delete;
    ConsoleServer& operator=(const ConsoleServer&) = delete;
    /// Binds and serves; returns the bound port. Throws ConfigError when the port is taken.
    std::uint16_t start();
    void stop();

private:
    ConsoleContext context_;
    std::unique_ptr<AuditSnapshot> audit_;
    // Its own threads: the API's server takes all of Poco's default pool, and a connection that
    // finds no thread is dropped unanswered.
    std::unique_ptr<Poco::ThreadPool> threads_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace vikno::gateway::console
