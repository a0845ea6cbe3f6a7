#pragma once
// The gateway's configuration: one JSON file (comments allowed), checked strictly at start. Any
// unknown key or wrong value stops the start with the file, the key and what is expected.
// Every key is documented in docs/configuration.md.

#include <vikno/exchange.h>
#include <vikno/plugin.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace vikno::gateway {

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A certificate and its private key (PEM files; the key may also be an OpenSSL store URI).
struct KeyPairConfig {
    std::string certificate;
    std::string key;
};

/// HTTPS for the CNAP-facing API; clients present certificates issued by `client_ca`.
struct ServerTlsConfig {
    KeyPairConfig identity;
    std::string client_ca;
};

struct ServerConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    int threads = 16;
    std::size_t max_body_bytes = 1024 * 1024;
    std::int64_t max_backlog = 100000;  ///< cases waiting to be sent; beyond it submissions get 503
    std::string ready_file;             ///< written with host:port once listening (for tests and supervisors)
    ServerTlsConfig tls;
};

/// A CNAP office: its client certificate's common name is its id; it may request these services
/// (exact codes, `prefix.*`, or `*`).
struct OfficeConfig {
    std::string id;
    std::vector<std::string> services;
    /// Where the gateway POSTs this office's case events (docs/api.md, "Callbacks"); empty: none,
    /// unless a case names its own URL.
    std::string callback_url;
    /// Hosts a case of this office may name in its own `callback_url`; empty: cases may not.
    std::vector<std::string> callback_hosts;

    bool may_request(const std::string& service) const;
    bool may_call_back(const std::string& host) const;
};

/// Delivery of case events to CNAP back-ends: HTTPS with the gateway's TLS client certificate
/// (registry_tls), RFC 9421 signatures with its signing key, retried until answered with 2xx.
struct CallbackConfig {
    std::string tls_ca;  ///< the CA (chain) the back-ends' TLS certificates chain to
    int workers = 2;
    int backoff_initial_ms = 500;
    int backoff_max_ms = 60000;
    int request_timeout_ms = 10000;
};

struct StoreConfig {
    std::string path = "var/vikno.db";
    /// A libpq connection string or URI: the store (and the audit log) are then in PostgreSQL,
    /// shared by every gateway instance given the same one (docs/operations.md); `path` is unused.
    std::string postgres;
    int connections = 8;   ///< PostgreSQL connections of this instance
    int lease_ms = 10000;  ///< how long a dead instance's claims stay held (heartbeat every third)
    /// Below this much free space on the store's or the audit log's file system, new cases are
    /// refused (503 storage-full) so that the accepted ones keep room to finish; a write refused
    /// for lack of space pauses dispatch until this much is free again.
    std::int64_t min_free_bytes = 64LL << 20;
};

struct DispatchConfig {
    int workers = 4;
    int max_attempts = 8;
    int backoff_initial_ms = 500;
    int backoff_max_ms = 60000;
    int connect_timeout_ms = 3000;
    int request_timeout_ms = 15000;
    int breaker_failures = 5;              ///< consecutive failures that open a registry's breaker
    int breaker_cooldown_ms = 30000;       ///< how long it stays open before a probe
    int breaker_max_cooldown_ms = 300000;  ///< the cooldown doubles after each failed probe, up to this
    /// Exchanges one registry may have in flight at once, so that a registry that stalls holds at
    /// most this many workers and the others keep theirs; 0: three quarters of the workers.
    int registry_max_in_flight = 0;
    /// The limit for a registry whose plugin entry says `plugin_limit` (0: the default above).
    int max_in_flight(int plugin_limit) const;
};

struct AuditConfig {
    std::string dir = "var/audit";
    std::int64_t checkpoint_entries = 1000;
    int checkpoint_seconds = 60;
};

struct LogConfig {
    std::string level = "info";
    std::string file;  ///< empty: standard error
};

struct PluginConfig {
    std::string file;                ///< the library, relative to plugins.dir unless absolute
    std::string endpoint;            ///< the registry's base URL (https)
    std::string tls_ca;              ///< the CA (chain) the registry's TLS certificate must chain to
    std::string answer_certificate;  ///< the registry's signing certificate, pinned: answers must verify with it
    int max_in_flight = 0;           ///< 0: dispatch.registry_max_in_flight
    PluginSettings settings;
};

/// The office certificate `vikno submit` and `vikno status` present to the gateway (server.listen).
struct ClientConfig {
    KeyPairConfig identity;
    std::string ca;  ///< the CA (chain) the gateway's TLS certificate must chain to
};

/// A person allowed into the web console (docs/console.md): the common name of their client
/// certificate, their role, and for a supervisor the office they supervise.
struct ConsoleUser {
    enum class Role { Auditor, Supervisor };
    std::string name;
    Role role = Role::Supervisor;
    std::string office;  ///< supervisors only: the one office whose cases they see
};

/// The read-only web console for auditors and supervisors: its own HTTPS listener, where every
/// client must show a certificate from `client_ca` whose common name is one of `users`.
struct ConsoleConfig {
    bool enabled = false;  ///< a `console` section is present
    std::string host = "127.0.0.1";
    std::uint16_t port = 8443;
    std::string client_ca;   ///< the CA that issues people's certificates (not the offices' CA)
    std::string ready_file;  ///< written with host:port once listening
    std::vector<ConsoleUser> users;

    const ConsoleUser* user(const std::string& name) const;
};

struct Config {
    std::string source;  ///< the file it was read from
    ServerConfig server;
    StoreConfig store;
    DispatchConfig dispatch;
    XRoadClient xroad{"SEVDEIR-TEST", "GOV", "", "VIKNO"};
    LogConfig log;
    AuditConfig audit;
    std::string plugin_dir = "build/lib/plugins";
    std::vector<PluginConfig> plugins;
    std::vector<OfficeConfig> offices;
    KeyPairConfig signing;       ///< the gateway's message signing key and certificate
    KeyPairConfig registry_tls;  ///< the client certificate the gateway shows registries (mTLS)
    ClientConfig client;
    CallbackConfig callbacks;
    /// Life-situation definitions: every *.json file in this folder (docs/situations.md); empty: none.
    std::string situations_dir;
    ConsoleConfig console;

    const OfficeConfig* office(const std::string& id) const;
};

/// Reads and checks the file; throws ConfigError with "FILE: KEY: problem; expected ...".
Config load_config(const std::string& path);
/// The same, from text (tests); `source` names it in messages.
Config parse_config(const std::string& text, const std::string& source);

/// The config file to use when none is given: $VIKNO_CONFIG, else config/vikno.jsonc.
std::string default_config_path();

}  // namespace vikno::gateway
