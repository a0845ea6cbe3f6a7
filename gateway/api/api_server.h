#pragma once
// The CNAP-facing HTTP API v1 (see docs/api.md): submit a case, read its status, list services,
// health and metrics. Every error is application/problem+json.

#include "audit/audit_log.h"
#include "config/config.h"
#include "dispatch/dispatcher.h"
#include "metrics/metrics.h"
#include "plugin_host/plugin_host.h"
#include "signing/credentials.h"
#include "situations/definition.h"
#include "store/case_store.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServer.h>

#include <memory>

namespace vikno::gateway {

struct ApiContext {
    const Config& config;
    CaseStore& store;
    const PluginHost& plugins;
    Dispatcher& dispatcher;
    Metrics& metrics;
    Poco::Net::Context::Ptr tls;  ///< server context: the gateway's certificate, the CNAP CA for clients
    audit::AuditLog& audit;
    const Credentials& credentials;  ///< the registries' pinned certificates, for their callbacks
    const Situations& situations;    ///< life-situation definitions (docs/situations.md)
    SpaceWatch& space;               ///< room on the disk: new cases are refused without it
};

class ApiServer {
public:
    explicit ApiServer(ApiContext context);
    ~ApiServer();
    /// Binds and starts serving; returns the bound port (useful when the config says port 0).
    std::uint16_t start();
    void stop();

private:
    ApiContext context_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace vikno::gateway
