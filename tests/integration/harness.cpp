#include "harness.h"

#include "pg_test_conninfo.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <vikno/signing.h>

#include <Poco/File.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/UUIDGenerator.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace vikno::testing {

std::string unique_key(const std::string& what) {
    return what + "-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

std::string fresh_postgres_database() {
    const std::string base = test_cluster_conninfo(VIKNO_TEST_PG_CONNINFO_FILE);
    if (base.empty())
        throw std::runtime_error("no PostgreSQL test cluster: run the tests with ctest (fixture pg_cluster)");
    PGconn* db = PQconnectdb(base.c_str());
    std::string schema = "it_" + Poco::UUIDGenerator::defaultGenerator().createRandom().toString().substr(0, 8);
    PGresult* result = PQexec(db, ("CREATE SCHEMA " + schema).c_str());
    const bool created = PQresultStatus(result) == PGRES_COMMAND_OK;
    const std::string error = PQerrorMessage(db);
    PQclear(result);
    PQfinish(db);
    if (!created) throw std::runtime_error("cannot create a test schema: " + error);
    return base + " options='-c search_path=" + schema + "'";
}

std::string sample_case(const std::string& name) {
    return read_file(std::string(VIKNO_SOURCE_DIR) + "/config/samples/" + name + ".json");
}

Poco::JSON::Object::Ptr HttpReply::json() const {
    Poco::JSON::Parser parser;
    return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
}

std::string pki(const std::string& name) { return std::string(VIKNO_TEST_PKI_DIR) + "/" + name; }

std::string identity_for_sample(const std::string& sample) {
    const std::string text = sample_case(sample);
    if (text.find("kharkiv-cnap-03") != std::string::npos) return "office-kharkiv";
    if (text.find("kyiv-cnap-11") != std::string::npos) return "office-kyiv";
    return "office-vinnytsia";
}

struct HttpConnection::Session {
    std::unique_ptr<Poco::Net::HTTPSClientSession> client;
};

HttpConnection::HttpConnection(const std::string& address, const std::string& identity)
    : session_(std::make_unique<Session>()) {
    static std::once_flag ssl;
    std::call_once(ssl, [] { Poco::Net::initializeSSL(); });
    Poco::Net::Context::Params params;
    if (!identity.empty()) {
        params.certificateFile = pki(identity + ".crt");
        params.privateKeyFile = pki(identity + ".key");
    }
    params.caLocation = pki("ca-chain.crt");
    params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    params.loadDefaultCAs = false;
    const Poco::Net::Context::Ptr context(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params));
    const auto colon = address.rfind(':');
    session_->client = std::make_unique<Poco::Net::HTTPSClientSession>(
        address.substr(0, colon), static_cast<Poco::UInt16>(std::stoi(address.substr(colon + 1))), context);
    session_->client->setTimeout(Poco::Timespan(20, 0));
    session_->client->setKeepAlive(true);
}

HttpConnection::~HttpConnection() = default;

HttpReply HttpConnection::send(const std::string& method, const std::string& path, const std::string& body,
                               const std::map<std::string, std::string>& headers) {
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(true);
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!body.empty() || method == "POST" || method == "PUT") {
        request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    session_->client->sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session_->client->receiveResponse(response);
    HttpReply reply;
    reply.status = response.getStatus();
    reply.reason = response.getReason();
    reply.content_type = response.getContentType();
    for (const auto& [name, value] : response) reply.headers[name] = value;
    Poco::StreamCopier::copyToString(in, reply.body);
    return reply;
}

HttpReply http(const std::string& address, const std::string& method, const std::string& path, const std::string& body,
               const std::map<std::string, std::string>& headers, const std::string& identity) {
    return HttpConnection(address, identity).send(method, path, body, headers);
}

Stack::Stack() {
    dir = ::testing::TempDir() + "/vikno-it-" + Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
    Poco::File(dir + "/sim").createDirectories();
    gateway_log = dir + "/gateway.log";
    // VIKNO_IT_STORE=postgres runs every test's gateway on PostgreSQL (CTest runs the suite once so).
    if (const char* store = std::getenv("VIKNO_IT_STORE"); store != nullptr && std::string(store) == "postgres") {
        postgres = fresh_postgres_database();
    }
}

Stack::~Stack() {
    gateway_.reset();
    simulator_.reset();
    registries_.clear();
    if (!::testing::Test::HasFailure() && std::uncaught_exceptions() == 0) Poco::File(dir).remove(true);
}

namespace {

// The options every simulator needs to serve HTTPS, check the gateway's signatures and sign answers.
std::vector<std::string> security_options(const std::string& name) {
    return {"--tls-cert",
            pki(name + "-tls.crt"),
            "--tls-key",
            pki(name + "-tls.key"),
            "--client-ca",
            pki("ca-chain.crt"),
            "--signing-cert",
            pki(name + "-signing.crt"),
            "--signing-key",
            pki(name + "-signing.key"),
            "--client-signing-cert",
            pki("gateway-signing.crt")};
}

std::vector<Poco::JSON::Object::Ptr> index_of(const std::string& folder) {
    std::vector<Poco::JSON::Object::Ptr> result;
    std::istringstream lines(read_file(folder + "/index.jsonl"));
    std::string line;
    for (Poco::JSON::Parser parser; std::getline(lines, line); parser.reset()) {
        if (!line.empty()) result.push_back(parser.parse(line).extract<Poco::JSON::Object::Ptr>());
    }
    return result;
}

}  // namespace

std::string Stack::start_registry(const std::string& name, const std::vector<std::string>& options) {
    const std::string ready = dir + "/sim-" + name + ".ready";
    Poco::File(dir + "/sim-" + name).createDirectories();
    std::vector<std::string> argv{std::string(VIKNO_BIN_DIR) + "/vikno-sim-" + name,
                                  "--port",
                                  "0",
                                  "--record",
                                  dir + "/sim-" + name,
                                  "--ready-file",
                                  ready};
    const auto security = security_options(name);
    argv.insert(argv.end(), security.begin(), security.end());
    argv.insert(argv.end(), options.begin(), options.end());
    Registry registry{name, "", std::make_unique<Process>(argv, dir + "/sim-" + name + ".log")};
    const std::string address = wait_ready(ready, *registry.process, "the " + name + " simulator");
    registry.port = address.substr(address.rfind(':') + 1);
    registries_.push_back(std::move(registry));
    return address;
}

std::string Stack::registries_address(const std::string& name) const {
    for (const auto& registry : registries_) {
        if (registry.name == name) return "127.0.0.1:" + registry.port;
    }
    throw std::runtime_error("no simulator " + name + " was started");
}

std::vector<Poco::JSON::Object::Ptr> Stack::records_of(const std::string& name) const {
    return index_of(dir + "/sim-" + name);
}

namespace {

// An exchange entry's request and response as on the wire.
void wire_bytes_from_entry(const std::string& entry, StoredExchange& out) {
    const auto json = Poco::JSON::Parser().parse(entry).extract<Poco::JSON::Object::Ptr>();
    out.request = vikno::crypto::base64_decode(json->getValue<std::string>("request")).value();
    out.response = vikno::crypto::base64_decode(json->getValue<std::string>("response")).value();
}

std::vector<StoredExchange> postgres_exchanges(const std::string& conninfo, const std::string& case_id) {
    std::vector<StoredExchange> out;
    PGconn* pg = PQconnectdb(conninfo.c_str());
    const char* values[] = {case_id.c_str()};
    PGresult* rows = PQexecParams(
        pg,
        "SELECT http_status, length(request) + COALESCE(length(response), 0), request, response, audit_digest, "
        "(SELECT line FROM audit_entries WHERE digest = x.audit_digest UNION ALL SELECT entry FROM audit_queue "
        "WHERE digest = x.audit_digest LIMIT 1) FROM exchanges x WHERE case_id = $1 ORDER BY id",
        1, nullptr, values, nullptr, nullptr, 0);
    const auto bytes = [&](int row, int column) {
        std::size_t length = 0;
        unsigned char* raw =
            PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(rows, row, column)), &length);
        std::string text(reinterpret_cast<char*>(raw), length);
        PQfreemem(raw);
        return text;
    };
    for (int i = 0; PQresultStatus(rows) == PGRES_TUPLES_OK && i < PQntuples(rows); ++i) {
        StoredExchange e;
        e.http_status = std::atoi(PQgetvalue(rows, i, 0));
        e.bytes_in_row = static_cast<std::size_t>(std::atoll(PQgetvalue(rows, i, 1)));
        e.refers_to_audit_entry = PQgetisnull(rows, i, 4) == 0;
        if (!e.refers_to_audit_entry) {
            e.request = bytes(i, 2);
            e.response = bytes(i, 3);
        } else if (PQgetisnull(rows, i, 5) == 0) {
            wire_bytes_from_entry(PQgetvalue(rows, i, 5), e);
        }
        out.push_back(std::move(e));
    }
    PQclear(rows);
    PQfinish(pg);
    return out;
}

}  // namespace

std::vector<StoredExchange> Stack::stored_exchanges(const std::string& case_id) const {
    if (!postgres.empty()) return postgres_exchanges(postgres, case_id);
    std::vector<StoredExchange> out;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2((dir + "/vikno.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return out;
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT http_status, length(request) + IFNULL(length(response), 0), request, response, "
                       "audit_seq, audit_offset FROM exchanges WHERE case_id = ?1 ORDER BY rowid",
                       -1, &statement, nullptr);
    sqlite3_bind_text(statement, 1, case_id.c_str(), -1, SQLITE_TRANSIENT);
    const auto blob = [&](int column) {
        const auto* bytes = static_cast<const char*>(sqlite3_column_blob(statement, column));
        return std::string(bytes ? bytes : "", static_cast<std::size_t>(sqlite3_column_bytes(statement, column)));
    };
    while (sqlite3_step(statement) == SQLITE_ROW) {
        StoredExchange e;
        e.http_status = sqlite3_column_int(statement, 0);
        e.bytes_in_row = static_cast<std::size_t>(sqlite3_column_int64(statement, 1));
        e.refers_to_audit_entry = sqlite3_column_type(statement, 4) != SQLITE_NULL;
        if (!e.refers_to_audit_entry) {
            e.request = blob(2);
            e.response = blob(3);
        } else {
            // The line that starts at the row's offset, which must be the entry the row names.
            std::ifstream entries(dir + "/audit/entries.jsonl", std::ios::binary);
            entries.seekg(sqlite3_column_int64(statement, 5));
            std::string line;
            std::getline(entries, line);
            if (line.starts_with("{\"seq\":" + std::to_string(sqlite3_column_int64(statement, 4)) + ",")) {
                wire_bytes_from_entry(line, e);
            }
        }
        out.push_back(std::move(e));
    }
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return out;
}

std::string Stack::audit_dir() const {
    if (postgres.empty()) return dir + "/audit";
    PGconn* db = PQconnectdb(postgres.c_str());
    bool drained = false;
    for (int i = 0; i < 500 && !drained; ++i) {  // the sequencer integrates queued entries every 50 ms
        PGresult* queued = PQexec(db, "SELECT COUNT(*) FROM audit_queue");
        drained = PQresultStatus(queued) == PGRES_TUPLES_OK && std::string(PQgetvalue(queued, 0, 0)) == "0";
        PQclear(queued);
        if (!drained) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    PQfinish(db);
    if (!drained) throw std::runtime_error("audit entries stay queued after 10 s: no instance sequences the log");
    const std::string pulled = dir + "/audit-pulled";
    const auto pull = run_vikno({"audit", "pull", "--postgres", postgres, "--dir", pulled}, dir);
    if (pull.code != 0) throw std::runtime_error("vikno audit pull failed: " + pull.output);
    return pulled;
}

pid_t Stack::simulator_pid() const { return simulator_ ? simulator_->pid() : -1; }

std::string Stack::start_simulator(const std::vector<std::string>& options) {
    const std::string ready = dir + "/sim.ready";
    std::remove(ready.c_str());
    std::vector<std::string> argv{VIKNO_SIM_BIN,
                                  "--port",
                                  sim_port,
                                  "--record",
                                  dir + "/sim",
                                  "--ready-file",
                                  ready,
                                  "--foreign-signing-cert",
                                  pki("attacker-signing.crt"),
                                  "--foreign-signing-key",
                                  pki("attacker-signing.key")};
    const auto security = security_options("civil_registry");
    argv.insert(argv.end(), security.begin(), security.end());
    argv.insert(argv.end(), options.begin(), options.end());
    simulator_ = std::make_unique<Process>(argv, dir + "/sim.log");
    simulator_address = wait_ready(ready, *simulator_, "the simulator");
    sim_port = simulator_address.substr(simulator_address.rfind(':') + 1);  // a restart keeps the port
    return simulator_address;
}

std::string Stack::start_gateway(const std::string& dispatch_json, const std::string& plugin_json) {
    const std::string ready = dir + "/gateway.ready";
    std::remove(ready.c_str());
    const std::string config_path = write_gateway_config(dispatch_json, plugin_json);
    gateway_ = std::make_unique<Process>(std::vector<std::string>{VIKNO_BIN, "serve", "--config", config_path},
                                         dir + "/gateway.out");
    gateway_address = wait_ready(ready, *gateway_, "the gateway");
    ++gateway_starts_;
    return gateway_address;
}

std::string Stack::write_gateway_config(const std::string& dispatch_json_in, const std::string& plugin_json) {
    // Tests inject faults at high rates: a short circuit-breaker cooldown keeps them quick unless a
    // test sets its own.
    std::string dispatch_json = dispatch_json_in;
    if (dispatch_json.find("breaker_cooldown_ms") == std::string::npos) {
        dispatch_json.insert(dispatch_json.find('{') + 1,
                             R"("breaker_cooldown_ms": 50, "breaker_max_cooldown_ms": 200, )");
    }
    const std::string ready = dir + "/gateway.ready";
    const std::string config_path = dir + "/vikno.jsonc";
    std::ofstream config(config_path);
    config << R"({
      "server": {"listen": "127.0.0.1:0", "ready_file": ")"
           << ready << R"(", "max_backlog": )" << max_backlog << R"(,
                 "tls": {"certificate": ")"
           << pki("gateway-tls.crt") << R"(", "key": ")" << pki("gateway-tls.key") << R"(", "client_ca": ")"
           << pki("cnap-ca.crt") << R"("}},
      "offices": [{"id": "vinnytsia-po-01", "services": ["*"])"
           << (callback_url.empty() ? ""
                                    : R"(, "callback_url": ")" + callback_url + R"(", "callback_hosts": ["127.0.0.1"])")
           << R"(},
                  {"id": "kharkiv-cnap-03", "services": ["drac.birth-extract"]},
                  {"id": "kyiv-cnap-11", "services": ["drac.death-extract"]}],
      "signing": {"certificate": ")"
           << pki("gateway-signing.crt") << R"(", "key": ")" << signing_key << R"("},
      "registry_tls": {"certificate": ")"
           << pki("gateway-tls.crt") << R"(", "key": ")" << pki("gateway-tls.key") << R"("},
      "store": {"path": ")"
           << (var_dir.empty() ? dir : var_dir) << R"(/vikno.db", "min_free_bytes": )" << min_free_bytes
           << (postgres.empty() ? "" : R"(, "postgres": ")" + postgres + R"(", "lease_ms": 1000, "connections": 6)")
           << R"(},
      "dispatch": )"
           << dispatch_json << R"(,
      "xroad": {"member_code": "12345678"},
      "log": {"level": "debug", "file": ")"
           << gateway_log << R"("},
      "situations": {"dir": ")"
           << situations_dir << R"("},
      "callbacks": {)"
           << (callback_url.empty() ? "" : R"("tls_ca": ")" + pki("cnap-ca.crt") + R"(", )")
           << R"("backoff_initial_ms": 50, "backoff_max_ms": 300},
      "audit": {"dir": ")"
           << (var_dir.empty() ? dir : var_dir) << R"(/audit", "checkpoint_entries": 50, "checkpoint_seconds": 1},
      "plugins": {"dir": ")"
           << plugin_dir << R"(", "load": [
        {"file": ")"
           << plugin_file << R"(", "endpoint": "https://127.0.0.1:)" << sim_port << R"(/",
         "tls_ca": ")"
           << pki(registry_tls_ca + ".crt") << R"(",
         "answer_certificate": ")"
           << pki(pinned_registry + ".crt") << R"(")" << plugin_json << "}";
    for (const auto& registry : registries_) {
        config << R"(, {"file": "libvikno-)" << registry.name << R"(.so", "endpoint": "https://127.0.0.1:)"
               << registry.port << R"(/", "tls_ca": ")" << pki("ca-chain.crt") << R"(", "answer_certificate": ")"
               << pki(registry.name + "-signing.crt") << R"("})";
    }
    config << "]}\n    }";
    return config_path;
}

void Stack::kill_gateway() { gateway_->kill9(); }
int Stack::stop_gateway() { return gateway_->stop(); }

CommandResult run_vikno(const std::vector<std::string>& args, const std::string& scratch_dir) {
    static int n = 0;
    const std::string out = scratch_dir + "/command-" + std::to_string(++n) + ".out";
    std::vector<std::string> argv{VIKNO_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    Process process(argv, out);
    CommandResult result;
    result.code = process.wait_exit(std::chrono::seconds(120));
    result.output = read_file(out);
    return result;
}
void Stack::stop_simulator() { simulator_.reset(); }

std::string Stack::submit(const std::string& sample, const std::string& key) {
    const std::string identity = identity_for_sample(sample);
    const HttpReply reply = http(gateway_address, "POST", "/v1/cases", sample_case(sample),
                                 {{"Content-Type", "application/json"}, {"Idempotency-Key", key}}, identity);
    if (reply.status != 202)
        throw std::runtime_error("submit answered " + std::to_string(reply.status) + ": " + reply.body);
    const std::string id = reply.json()->getValue<std::string>("id");
    case_identity_[id] = identity;
    return id;
}

Poco::JSON::Object::Ptr Stack::wait_final(const std::string& case_id, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Poco::JSON::Object::Ptr last;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto who = case_identity_.find(case_id);
        last = http(gateway_address, "GET", "/v1/cases/" + case_id, "", {},
                    who == case_identity_.end() ? "office-vinnytsia" : who->second)
                   .json();
        const auto status = last->getValue<std::string>("status");
        if (status == "completed" || status == "rejected" || status == "failed" || status == "partly_completed" ||
            status == "cancelled") {
            return last;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    throw std::runtime_error("case " + case_id + " not final in time; last status " +
                             (last ? last->getValue<std::string>("status") : "none"));
}

std::vector<Poco::JSON::Object::Ptr> Stack::records() const { return index_of(dir + "/sim"); }

std::string Stack::record_body(int seq) const { return record_body_of("", seq); }

std::string Stack::record_body_of(const std::string& registry, int seq) const {
    char name[32];
    std::snprintf(name, sizeof name, "/%06d-request.http", seq);
    const std::string text = read_file(dir + (registry.empty() ? "/sim" : "/sim-" + registry) + name);
    const auto split = text.find("\r\n\r\n");
    return split == std::string::npos ? "" : text.substr(split + 4);
}

}  // namespace vikno::testing
