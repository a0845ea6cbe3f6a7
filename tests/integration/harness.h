#pragma once
// Starts the simulator and the gateway as real processes on free ports (port 0 + ready file),
// talks HTTP to them, and stops what it started.

#include "process.h"

#include <Poco/JSON/Object.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vikno::testing {

struct HttpReply {
    int status = 0;
    std::string reason;  ///< the status line's reason phrase
    std::string content_type;
    std::map<std::string, std::string> headers;
    std::string body;
    Poco::JSON::Object::Ptr json() const;
};

/// The test PKI's file for `name` (e.g. `office-kharkiv.crt`).
std::string pki(const std::string& name);

/// HTTPS to the gateway or a simulator, trusting the test PKI's CA chain and presenting the client
/// certificate `identity` (a test PKI name such as `office-kharkiv`; empty: no certificate).
HttpReply http(const std::string& address, const std::string& method, const std::string& path,
               const std::string& body = "", const std::map<std::string, std::string>& headers = {},
               const std::string& identity = "office-vinnytsia");

/// One keep-alive HTTPS connection for several requests in a row (as a CNAP back-end's pool
/// would use it); `http()` is a connection for one request.
class HttpConnection {
public:
    explicit HttpConnection(const std::string& address, const std::string& identity = "office-vinnytsia");
    ~HttpConnection();
    HttpReply send(const std::string& method, const std::string& path, const std::string& body = "",
                   const std::map<std::string, std::string>& headers = {});

private:
    struct Session;
    std::unique_ptr<Session> session_;
};

/// Runs `vikno ARGS...` to completion; its exit code and output (stdout and stderr).
struct CommandResult {
    int code = -1;
    std::string output;
};
CommandResult run_vikno(const std::vector<std::string>& args, const std::string& scratch_dir);

/// An idempotency key no other submission of this test run uses: `what` and a clock reading.
std::string unique_key(const std::string& what);

/// The test PKI identity of the office a sample case comes from.
std::string identity_for_sample(const std::string& sample);

/// An exchange the gateway stored for a case, its bytes read where the store says they are.
struct StoredExchange {
    int http_status = 0;
    std::string request;
    std::string response;
    bool refers_to_audit_entry = false;  ///< the row names an audit entry instead of keeping the bytes
    std::size_t bytes_in_row = 0;        ///< request and response bytes the row itself holds
};

/// A temporary folder with a simulator and a gateway in it.
class Stack {
public:
    Stack();
    ~Stack();

    /// Starts the civil registry simulator (HTTPS, signing, client certificates required) with extra
    /// options; returns its host:port.
    std::string start_simulator(const std::vector<std::string>& options = {});
    /// Writes a gateway config (JSON fragments override sections) and starts the gateway on it.
    std::string start_gateway(const std::string& dispatch_json = R"({"workers": 2, "max_attempts": 3,
        "backoff_initial_ms": 50, "backoff_max_ms": 200, "connect_timeout_ms": 500, "request_timeout_ms": 5000})",
                              const std::string& plugin_json = "");
    /// Writes the gateway config start_gateway uses; returns its path (for tests of refused starts).
    std::string write_gateway_config(const std::string& dispatch_json = R"({"workers": 2})",
                                     const std::string& plugin_json = "");
    /// Starts the simulator of another registry plugin (`real_estate`, ...) with its test PKI
    /// certificates, recording into dir/sim-<name>; start_gateway then loads that plugin too.
    std::string start_registry(const std::string& name, const std::vector<std::string>& options = {});
    std::vector<Poco::JSON::Object::Ptr> records_of(const std::string& name) const;
    /// host:port of a simulator started with start_registry.
    std::string registries_address(const std::string& name) const;
    void kill_gateway();
    /// SIGTERM and wait: the gateway finishes in-flight work and seals the audit log.
    int stop_gateway();
    void stop_simulator();
    /// The folder with the gateway's audit log files: its own, or (PostgreSQL) the shared log pulled
    /// into dir/audit-pulled once every queued entry is sequenced.
    std::string audit_dir() const;
    /// The case's exchanges as the store has them (SQLite file or PostgreSQL), in order; bytes the
    /// store refers to are read from the audit entry it names (entries.jsonl at the row's offset, or
    /// the shared log's row with the row's digest).
    std::vector<StoredExchange> stored_exchanges(const std::string& case_id) const;
    /// The civil registry simulator's process id (for SIGSTOP and SIGCONT).
    pid_t simulator_pid() const;

    std::string submit(const std::string& sample, const std::string& key);
    /// Reads of this case use the office identity that submitted it (a case is visible to its office only).
    void track(const std::string& case_id, const std::string& identity) { case_identity_[case_id] = identity; }
    /// Polls until the case is final; its JSON.
    Poco::JSON::Object::Ptr wait_final(const std::string& case_id,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(20));
    /// Simulator record index lines (index.jsonl) as JSON objects.
    std::vector<Poco::JSON::Object::Ptr> records() const;
    std::string record_body(int seq) const;
    /// The body of request `seq` recorded by the simulator `name` started with start_registry.
    std::string record_body_of(const std::string& name, int seq) const;

    std::string dir;
    std::string simulator_address;
    std::string gateway_address;
    std::string gateway_log;
    std::string sim_port = "0";
    /// The registry certificate the gateway pins (test PKI name); tests of refusals change it.
    std::string pinned_registry = "civil_registry-signing";
    std::string registry_tls_ca = "ca-chain";
    std::string signing_key = pki("gateway-signing.key");
    int max_backlog = 100000;
    /// Where the gateway keeps its store and audit log (a test may mount a small file system here).
    std::string var_dir;
    /// store.min_free_bytes: new cases are refused below this much free space on var_dir.
    std::int64_t min_free_bytes = 1 << 20;
    /// When set (a libpq connection string), the gateway keeps its store and audit log in PostgreSQL;
    /// several Stacks given the same one are instances of one deployment.
    std::string postgres;
    /// When set, office vinnytsia-po-01 gets this callback URL (and may name host 127.0.0.1 in a
    /// case's own callback_url); the gateway trusts the test PKI's CNAP CA for back-ends.
    std::string callback_url;
    /// When set, the gateway loads the life-situation definitions in this folder.
    std::string situations_dir;
    std::string plugin_dir = VIKNO_PLUGIN_DIR;
    std::string plugin_file = "libvikno-civil_registry.so";

private:
    std::unique_ptr<Process> simulator_;
    std::unique_ptr<Process> gateway_;
    int gateway_starts_ = 0;
    std::map<std::string, std::string> case_identity_;
    struct Registry {
        std::string name;
        std::string port;
        std::unique_ptr<Process> process;
    };
    std::vector<Registry>
        registries_;  // besides the civil registry  // who submitted each case (only they may read it)
};

std::string sample_case(const std::string& name);

/// A schema of its own on the test PostgreSQL cluster (CTest's pg_cluster fixture); its connection
/// string. Throws when there is no cluster.
std::string fresh_postgres_database();

}  // namespace vikno::testing
