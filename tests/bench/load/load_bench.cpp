// vikno-load: the national-scale load benchmark (docs/performance.md, "Load").
//
// Starts a registry simulator and the gateway as real processes on free ports,
// with everything a production gateway has on: SQLite with synchronous=FULL,
// XML-DSig or HTTP signatures both ways, mutual TLS on the API and to the
// registry, the durable audit log. Then, in one run:
//   1. direct: the same cases straight to the simulator (translate, sign, send,
//   verify), the baseline;
//   2. rate:   submissions at a fixed rate (open loop: latency counts from the
//   scheduled send time,
//              so a stall is not hidden by the sender waiting for it);
//   3. max:    submissions as fast as the clients get answers (closed loop),
//   the saturation figure;
//   4. fill:   more of the same until the store holds --fill cases, for the
//   memory figure, then the fixed rates of phase 2 again on the full store.
// Exits 1 when a case was lost or a request went unanswered (CI runs it briefly as
// a smoke test), whatever the speed.
// Every accepted case is followed to its final state. Submit-to-completed
// latency is the case's final status time in the store (milliseconds, the
// gateway's clock, the same machine) minus the moment the client sent it.
//
// --stores sqlite,postgres,postgres-2 repeats phases 2-4 for each store setup
// in the same run (PostgreSQL: a throwaway cluster, one database per setup;
// postgres-2 is two gateways on one database, the clients split between
// them), so the setups are compared as ratios measured together. On
// PostgreSQL the server counts the statements of the max phase
// (pg_stat_statements): the database round trips per case.
//
// --baseline OTHER-BUILD/bin/vikno runs each store setup a second time with that
// gateway (named STORE@baseline) with that build's plugins, for a before/after of a change in one run.
// Next to throughput, each phase reports the gateways' CPU per completed case,
// which the shared machine's noise moves less than the rates.

#include "../process_cpu.h"
#include "../process_memory.h"
#include "api_client.h"
#include "bench_postgres.h"
#include "direct_baseline.h"
#include "latency.h"
#include "process.h"

#include "store/postgres_case_store.h"
#include "store/sqlite_case_store.h"

#include <vikno/case.h>

#include <Poco/File.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/String.h>

#include <unistd.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

namespace vikno::bench {
namespace {

using Clock = std::chrono::steady_clock;
using Wall = std::chrono::system_clock;

struct Options {
    std::string sample = "birth-extract";
    std::string registry = "civil_registry";
    int workers = 32;  // the gateway's dispatch workers; the direct baseline uses as many senders
    int clients = 16;  // API connections of the load generator
    double direct_seconds = 10;
    std::vector<double> rates{100, 300, 1000};  // cases per second, one fixed-rate phase each
    double rate_seconds = 10;
    double max_seconds = 20;
    std::int64_t fill = 100000;
    std::vector<std::string> stores{"sqlite"};  // sqlite, postgres, postgres-N (N gateways on one database)
    int pg_connections = 16;                    // store.connections of each gateway on PostgreSQL
    std::string report;                         // JSON report path
    bool keep = false;                          // keep the scratch folder (logs, store, audit log)
    std::string baseline;                       // another build's gateway, measured in the same run
};

// One measured store setup: which store, how many gateways share it.
struct Setup {
    std::string name;
    bool postgres = false;
    int instances = 1;
    std::string binary;  // the gateway to run; empty: this build's
};

Setup parse_setup(const std::string& name) {
    if (name == "sqlite") return {name, false, 1, {}};
    if (name == "postgres") return {name, true, 1, {}};
    if (name.rfind("postgres-", 0) == 0) {
        const int instances = std::stoi(name.substr(9));
        if (instances >= 1 && instances <= 8) return {name, true, instances, {}};
    }
    throw std::invalid_argument("--stores takes sqlite, postgres or postgres-N (N gateways, 1-8), not " + name);
}

std::string pki(const std::string& name) { return std::string(VIKNO_TEST_PKI_DIR) + "/" + name; }

double elapsed_s(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

std::int64_t wall_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(Wall::now().time_since_epoch()).count();
}

// "2026-11-26T04:12:33.123Z" -> microseconds since the epoch; 0 when it is not
// that form.
std::int64_t parse_rfc3339_us(const std::string& text) {
    std::tm tm{};
    int millis = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec, &millis) != 7) {
        return 0;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<std::int64_t>(timegm(&tm)) * 1000000 + millis * 1000;
}

struct Submission {
    std::string case_id;  // empty when not accepted
    std::int64_t sent_wall_us = 0;
    int phase = 0;
};

struct PhaseResult {
    std::string name;
    double offered_rate = 0;  // 0: as fast as answered
    double seconds = 0;       // submitting
    std::int64_t accepted = 0;
    std::int64_t refused = 0;  // answered, but not 202 (503 overloaded included)
    std::int64_t failed = 0;   // no answer
    std::string first_error;
    Latencies to_202;
    // filled in from the store at the end
    std::int64_t completed = 0;
    std::int64_t not_completed = 0;
    double completed_per_s = 0;
    Latencies to_completed;
    double peak_rss_mib = 0;
    double gateway_cpu_s = 0;  // the gateways' CPU from the phase's start until drained
    /// The gateways' CPU per completed case, in milliseconds: what the gateway itself costs.
    double cpu_ms_per_case() const {
        return completed > 0 ? gateway_cpu_s * 1000 / static_cast<double>(completed) : 0.0;
    }
};

// The plugins of the build the gateway comes from: another build's gateway (--baseline) speaks its
// own plugin interface version, and its plugins' cost is part of what it is measured with.
std::string plugin_dir(const std::string& binary) {
    if (binary.empty()) return VIKNO_PLUGIN_DIR;
    const auto ours = std::filesystem::path(VIKNO_BIN_DIR).parent_path();
    const auto relative = std::filesystem::path(VIKNO_PLUGIN_DIR).lexically_relative(ours);
    return (std::filesystem::path(binary).parent_path().parent_path() / relative).string();
}

class Gateway {
public:
    /// `postgres`: the store's connection string; empty for SQLite in `dir`.
    Gateway(const std::string& dir, const Options& options, const std::string& registry_port,
            const std::string& postgres = {}, const std::string& binary = {})
        : dir_(dir), binary_(binary.empty() ? std::string(VIKNO_BIN_DIR) + "/vikno" : binary) {
        Poco::File(dir).createDirectories();
        config_path_ = dir + "/vikno.jsonc";
        const std::string store = postgres.empty() ? R"("path": ")" + dir + R"(/vikno.db")"
                                                   : R"("postgres": ")" + postgres + R"(", "connections": )" +
                                                         std::to_string(options.pg_connections);
        std::ofstream config(config_path_);
        config << R"({
  "server": {"listen": "127.0.0.1:0", "ready_file": ")"
               << dir << R"(/gateway.ready", "threads": )" << options.clients + 8 << R"(,
             "tls": {"certificate": ")"
               << pki("gateway-tls.crt") << R"(", "key": ")" << pki("gateway-tls.key") << R"(", "client_ca": ")"
               << pki("cnap-ca.crt") << R"("}},
  "offices": [{"id": "vinnytsia-po-01", "services": ["*"]}],
  "signing": {"certificate": ")"
               << pki("gateway-signing.crt") << R"(", "key": ")" << pki("gateway-signing.key") << R"("},
  "registry_tls": {"certificate": ")"
               << pki("gateway-tls.crt") << R"(", "key": ")" << pki("gateway-tls.key") << R"("},
  "store": {)" << store
               << R"(},
  "dispatch": {"workers": )"
               << options.workers << R"(},
  "xroad": {"member_code": "12345678"},
  "log": {"level": "info", "file": ")"
               << dir << R"(/gateway.log"},
  "audit": {"dir": ")"
               << dir << R"(/audit"},
  "plugins": {"dir": ")"
               << plugin_dir(binary) << R"(", "load": [
    {"file": "libvikno-)"
               << options.registry << R"(.so", "endpoint": "https://127.0.0.1:)" << registry_port
               << R"(/", "tls_ca": ")" << pki("ca-chain.crt") << R"(", "answer_certificate": ")"
               << pki(options.registry + "-signing.crt") << R"("}]}
})";
    }

    void start() {
        process_ = std::make_unique<testing::Process>(
            std::vector<std::string>{binary_, "serve", "--config", config_path_}, dir_ + "/gateway.out");
        address_ = testing::wait_ready(dir_ + "/gateway.ready", *process_, "the gateway");
    }
    int stop() { return process_->stop(std::chrono::seconds(60)); }

    const std::string& config_path() const { return config_path_; }
    const std::string& address() const { return address_; }
    pid_t pid() const { return process_->pid(); }

private:
    std::string dir_;
    std::string binary_;
    std::string config_path_;
    std::string address_;
    std::unique_ptr<testing::Process> process_;
};

// Cases by status, from /metrics.
std::map<std::string, std::int64_t> cases_by_status(ApiClient& client) {
    std::map<std::string, std::int64_t> counts;
    const ApiAnswer metrics = client.get("/metrics");
    std::istringstream lines(metrics.body);
    std::string line;
    static const std::string kPrefix = "vikno_cases{status=\"";
    while (std::getline(lines, line)) {
        if (line.rfind(kPrefix, 0) != 0) continue;
        const auto quote = line.find('"', kPrefix.size());
        counts[line.substr(kPrefix.size(), quote - kPrefix.size())] = std::stoll(line.substr(line.rfind(' ') + 1));
    }
    return counts;
}

// Waits until no case is queued or being sent; false after `timeout`.
bool wait_drained(ApiClient& client, std::chrono::seconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        const auto counts = cases_by_status(client);
        std::int64_t open = 0;
        for (const char* status : {"received", "queued", "sending"}) {
            if (const auto it = counts.find(status); it != counts.end()) open += it->second;
        }
        if (!counts.empty() && open == 0) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

// Samples the gateway's RSS every 100 ms and keeps the peak of the current
// phase.
class MemoryWatch {
public:
    explicit MemoryWatch(pid_t pid) : pid_(pid), thread_([this] { run(); }) {}
    ~MemoryWatch() {
        stop_ = true;
        thread_.join();
    }
    /// The peak since the last call.
    double take_peak() { return peak_.exchange(0); }

private:
    void run() {
        while (!stop_) {
            const double rss = vikno::bench::memory_mib(pid_).first;
            double seen = peak_.load();
            while (rss > seen && !peak_.compare_exchange_weak(seen, rss)) {}
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    pid_t pid_;
    std::atomic<bool> stop_{false};
    std::atomic<double> peak_{0};
    std::thread thread_;
};

class LoadGenerator {
public:
    /// The clients are spread over `addresses` in turn (a load balancer's round robin).
    LoadGenerator(std::vector<std::string> addresses, std::string body, int clients)
        : addresses_(std::move(addresses)),
          body_(std::move(body)),
          clients_(clients),
          tls_(office_tls(pki("office-vinnytsia.crt"), pki("office-vinnytsia.key"), pki("ca-chain.crt"))) {}

    /// Submits for `seconds` at `rate` cases/s (0: closed loop, as fast as
    /// answered), or until `limit` cases were sent in total when limit > 0.
    PhaseResult run(const std::string& name, int phase, double rate, double seconds, std::int64_t limit,
                    std::vector<Submission>& submissions) {
        PhaseResult result;
        result.name = name;
        result.offered_rate = rate;
        std::atomic<std::int64_t> ticket{0};
        std::mutex merge;
        const auto start = Clock::now();
        const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
        std::vector<std::thread> threads;
        for (int t = 0; t < clients_; ++t) {
            threads.emplace_back([&, t] {
                ApiClient client(addresses_[static_cast<std::size_t>(t) % addresses_.size()], tls_);
                Latencies mine;
                std::vector<Submission> sent;
                std::int64_t accepted = 0, refused = 0, failed = 0;
                std::string first_error;
                for (;;) {
                    const std::int64_t n = ticket++;
                    if (limit > 0 && n >= limit) break;
                    auto scheduled = Clock::now();
                    if (rate > 0) {
                        scheduled = start + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(static_cast<double>(n) / rate));
                        if (scheduled >= end) break;
                        std::this_thread::sleep_until(scheduled);
                    } else if (scheduled >= end) {
                        break;
                    }
                    // Both latencies count from the scheduled moment (the same as the send in a closed loop).
                    const auto late = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - scheduled);
                    Submission submission{"", wall_us() - late.count(), phase};
                    const ApiAnswer answer = client.post_case(
                        body_, "load-" + std::to_string(::getpid()) + "-" + name + "-" + std::to_string(n));
                    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - scheduled).count();
                    if (answer.status == 202) {
                        ++accepted;
                        mine.add(ms);
                        Poco::JSON::Parser parser;
                        submission.case_id =
                            parser.parse(answer.body).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("id");
                        sent.push_back(std::move(submission));
                    } else {
                        answer.status == 0 ? ++failed : ++refused;
                        if (first_error.empty()) {
                            first_error = answer.status == 0
                                              ? answer.error
                                              : std::to_string(answer.status) + " " + answer.body.substr(0, 200);
                        }
                    }
                }
                const std::lock_guard lock(merge);
                result.to_202.merge(mine);
                result.accepted += accepted;
                result.refused += refused;
                result.failed += failed;
                if (result.first_error.empty()) result.first_error = first_error;
                submissions.insert(submissions.end(), std::make_move_iterator(sent.begin()),
                                   std::make_move_iterator(sent.end()));
            });
        }
        for (auto& thread : threads) thread.join();
        result.seconds = elapsed_s(start);
        return result;
    }

    ApiClient monitor_client() const { return ApiClient(addresses_.front(), tls_); }

private:
    std::vector<std::string> addresses_;
    std::string body_;
    int clients_;
    Poco::Net::Context::Ptr tls_;
};

// Reads every accepted case's final state from the store and fills in the
// phases' completion figures.
void follow_to_completion(gateway::CaseRecords& store, const std::vector<Submission>& submissions,
                          std::vector<PhaseResult>& phases) {
    std::vector<std::int64_t> first_sent(phases.size(), INT64_MAX), last_final(phases.size(), 0);
    for (const auto& submission : submissions) {
        PhaseResult& phase = phases[static_cast<std::size_t>(submission.phase)];
        const auto found = store.find(submission.case_id);
        if (!found || found->status != CaseStatus::Completed || found->history.empty()) {
            ++phase.not_completed;
            continue;
        }
        const std::int64_t final_us = parse_rfc3339_us(found->history.back().at);
        ++phase.completed;
        phase.to_completed.add(static_cast<double>(final_us - submission.sent_wall_us) / 1000.0);
        auto& first = first_sent[static_cast<std::size_t>(submission.phase)];
        auto& last = last_final[static_cast<std::size_t>(submission.phase)];
        first = std::min(first, submission.sent_wall_us);
        last = std::max(last, final_us);
    }
    for (std::size_t i = 0; i < phases.size(); ++i) {
        if (phases[i].completed > 0 && last_final[i] > first_sent[i]) {
            phases[i].completed_per_s =
                static_cast<double>(phases[i].completed) / (static_cast<double>(last_final[i] - first_sent[i]) / 1e6);
        }
    }
}

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "--sample")
            options.sample = value();
        else if (arg == "--registry")
            options.registry = value();
        else if (arg == "--workers")
            options.workers = std::stoi(value());
        else if (arg == "--clients")
            options.clients = std::stoi(value());
        else if (arg == "--direct-seconds")
            options.direct_seconds = std::stod(value());
        else if (arg == "--rate") {
            options.rates.clear();
            std::istringstream list(value());
            for (std::string rate; std::getline(list, rate, ',');) options.rates.push_back(std::stod(rate));
        } else if (arg == "--rate-seconds")
            options.rate_seconds = std::stod(value());
        else if (arg == "--max-seconds")
            options.max_seconds = std::stod(value());
        else if (arg == "--fill")
            options.fill = std::stoll(value());
        else if (arg == "--stores") {
            options.stores.clear();
            std::istringstream list(value());
            for (std::string store; std::getline(list, store, ',');) {
                parse_setup(store);
                options.stores.push_back(store);
            }
        } else if (arg == "--pg-connections")
            options.pg_connections = std::stoi(value());
        else if (arg == "--report")
            options.report = value();
        else if (arg == "--keep")
            options.keep = true;
        else if (arg == "--baseline")
            options.baseline = value();
        else {
            throw std::invalid_argument(
                "unknown option " + arg +
                "\nusage: vikno-load [--sample birth-extract] [--registry civil_registry] [--workers 32] [--clients "
                "16]\n  [--direct-seconds 10] [--rate 100,300,1000] [--rate-seconds 10] [--max-seconds 20] [--fill "
                "100000]\n  [--stores sqlite,postgres,postgres-2] [--pg-connections 16] [--report FILE.json] [--keep]\n"
                "  [--baseline OTHER-BUILD/bin/vikno]");
        }
    }
    return options;
}

Poco::JSON::Object::Ptr phase_json(PhaseResult& phase) {
    Poco::JSON::Object::Ptr json = new Poco::JSON::Object;
    json->set("phase", phase.name);
    json->set("offered_rate", phase.offered_rate);
    json->set("submit_seconds", phase.seconds);
    json->set("accepted", phase.accepted);
    json->set("accepted_per_s", static_cast<double>(phase.accepted) / phase.seconds);
    json->set("refused", phase.refused);
    json->set("failed", phase.failed);
    json->set("first_error", phase.first_error);
    json->set("completed", phase.completed);
    json->set("not_completed", phase.not_completed);
    json->set("completed_per_s", phase.completed_per_s);
    for (const auto& [name, p] : {std::pair{"p50", 50.0}, {"p99", 99.0}, {"p999", 99.9}}) {
        json->set(std::string("submit_to_202_ms_") + name, phase.to_202.percentile(p));
        json->set(std::string("submit_to_completed_ms_") + name, phase.to_completed.percentile(p));
    }
    json->set("peak_rss_mib", phase.peak_rss_mib);
    json->set("gateway_cpu_ms_per_case", phase.cpu_ms_per_case());
    return json;
}

void print_phase(PhaseResult& phase) {
    std::printf("%-9s %9.0f %9.0f %9lld %6lld %9.0f  %7.2f %7.2f %8.2f  %8.1f %8.1f %8.1f  %7.0f %7.2f\n",
                phase.name.c_str(), phase.offered_rate, static_cast<double>(phase.accepted) / phase.seconds,
                static_cast<long long>(phase.completed),
                static_cast<long long>(phase.refused + phase.failed + phase.not_completed), phase.completed_per_s,
                phase.to_202.percentile(50), phase.to_202.percentile(99), phase.to_202.percentile(99.9),
                phase.to_completed.percentile(50), phase.to_completed.percentile(99),
                phase.to_completed.percentile(99.9), phase.peak_rss_mib, phase.cpu_ms_per_case());
}

// What one store setup measured.
struct SetupResult {
    Setup setup;
    std::vector<PhaseResult> phases;
    std::size_t max_phase = 0;
    std::size_t cases = 0;
    double rss_after_fill = 0, peak_after_fill = 0;
    std::vector<int> exits;
    std::vector<StatementCount> max_statements;  // PostgreSQL: what the max phase ran
    double max_server_cpu_s = 0;                 // PostgreSQL: the server's CPU in the max phase
    double max_simulator_cpu_s = 0;              // the registry simulator's CPU in the max phase
    double max_client_cpu_s = 0;                 // this program's (the CNAP clients') in the max phase
    double saturation() const { return phases.at(max_phase).completed_per_s; }
    /// The max phase's statements per completed case; 0 on SQLite.
    double round_trips_per_case() const {
        std::int64_t calls = 0;
        for (const auto& statement : max_statements) calls += statement.calls;
        const auto completed = phases.at(max_phase).completed;
        return completed > 0 ? static_cast<double>(calls) / static_cast<double>(completed) : 0.0;
    }
    double server_cpu_ms_per_case() const { return per_completed_case(max_server_cpu_s * 1000); }
    /// Every process's CPU per case in the max phase: on a machine whose cores are the limit, what
    /// sets the throughput.
    double machine_cpu_ms_per_case() const {
        return phases.at(max_phase).cpu_ms_per_case() +
               per_completed_case((max_server_cpu_s + max_simulator_cpu_s + max_client_cpu_s) * 1000);
    }
    double server_exec_ms_per_case() const {
        double exec_ms = 0;
        for (const auto& statement : max_statements) exec_ms += statement.exec_ms;
        return per_completed_case(exec_ms);
    }
    double per_completed_case(double total) const {
        const auto completed = phases.at(max_phase).completed;
        return completed > 0 ? total / static_cast<double>(completed) : 0.0;
    }
    /// p99 submit-to-202 of the fixed-rate phase at `rate`; -1 when it was not run.
    double p99_202_at(double rate) {
        for (auto& phase : phases) {
            if (phase.offered_rate == rate) return phase.to_202.percentile(99);
        }
        return -1;
    }
};

// Phases 2-4 against one store setup: its gateways started, driven, stopped,
// and every accepted case followed in its store.
SetupResult run_setup(const Options& options, const Setup& setup, const std::string& dir, const std::string& body,
                      const std::string& registry_port, BenchPostgres* postgres, pid_t simulator) {
    SetupResult result;
    result.setup = setup;
    std::string conninfo;
    const std::string database = "load_" + Poco::replace(Poco::replace(setup.name, "-", "_"), "@", "_");
    if (setup.postgres) conninfo = postgres->create_database(database);
    std::vector<std::unique_ptr<Gateway>> gateways;
    std::vector<std::string> addresses;
    for (int i = 0; i < setup.instances; ++i) {
        gateways.push_back(std::make_unique<Gateway>(dir + "/" + setup.name + "-" + std::to_string(i + 1), options,
                                                     registry_port, conninfo, setup.binary));
        gateways.back()->start();
        addresses.push_back(gateways.back()->address());
    }
    std::printf("\n%s: %d gateway%s (%s)\n", setup.name.c_str(), setup.instances, setup.instances > 1 ? "s" : "",
                setup.postgres ? ("PostgreSQL database " + database).c_str() : "SQLite");
    LoadGenerator load(addresses, body, options.clients);
    ApiClient monitor = load.monitor_client();
    std::vector<Submission> submissions;
    {
        // The first gateway's memory: with several, each carries its share.
        MemoryWatch memory(gateways.front()->pid());
        auto phase = [&](const std::string& phase_name, double rate, double seconds, std::int64_t limit) {
            std::printf("%s ...\n", phase_name.c_str());
            std::fflush(stdout);
            const auto gateways_cpu = [&] {
                double seconds = 0;
                for (const auto& gateway : gateways) seconds += cpu_seconds(gateway->pid());
                return seconds;
            };
            const double cpu_before = gateways_cpu();
            result.phases.push_back(
                load.run(phase_name, static_cast<int>(result.phases.size()), rate, seconds, limit, submissions));
            if (!wait_drained(monitor, std::chrono::seconds(600)))
                std::printf("%s: not drained in 600 s\n", phase_name.c_str());
            result.phases.back().peak_rss_mib = memory.take_peak();
            result.phases.back().gateway_cpu_s = gateways_cpu() - cpu_before;
        };
        for (const double rate : options.rates) {
            phase("rate-" + std::to_string(static_cast<long>(rate)), rate, options.rate_seconds, 0);
        }
        result.max_phase = result.phases.size();
        if (postgres != nullptr) postgres->reset_counts();
        const double server_cpu_before = postgres != nullptr ? postgres->cpu_seconds() : 0;
        const double simulator_cpu_before = cpu_seconds(simulator);
        const double client_cpu_before = cpu_seconds(getpid());
        phase("max", 0, options.max_seconds, 0);
        result.max_simulator_cpu_s = cpu_seconds(simulator) - simulator_cpu_before;
        result.max_client_cpu_s = cpu_seconds(getpid()) - client_cpu_before;
        if (postgres != nullptr) {
            result.max_server_cpu_s = postgres->cpu_seconds() - server_cpu_before;
            result.max_statements = postgres->counts(database);
        }
        const auto so_far = static_cast<std::int64_t>(submissions.size());
        if (options.fill > so_far) {
            phase("fill", 0, 1e9, options.fill - so_far);
            // The same fixed rates again with the store full: does a 202 slow down as cases pile up?
            for (const double rate : options.rates) {
                phase("rate-" + std::to_string(static_cast<long>(rate)) + "-full", rate, options.rate_seconds, 0);
            }
        }
        std::tie(result.rss_after_fill, result.peak_after_fill) = vikno::bench::memory_mib(gateways.front()->pid());
    }
    for (auto& gateway : gateways) result.exits.push_back(gateway->stop());
    result.cases = submissions.size();
    if (setup.postgres) {
        gateway::PostgresCaseStore store(gateway::PostgresOptions{conninfo, 2});
        follow_to_completion(store, submissions, result.phases);
    } else {
        gateway::SqliteCaseStore store(dir + "/" + setup.name + "-1/vikno.db");
        follow_to_completion(store, submissions, result.phases);
    }
    return result;
}

void print_setup(SetupResult& result, double direct_rate) {
    std::printf("\n%s, %d gateway%s:\n", result.setup.name.c_str(), result.setup.instances,
                result.setup.instances > 1 ? "s" : "");
    std::printf("%-9s %9s %9s %9s %6s %9s  %7s %7s %8s  %8s %8s %8s  %7s %7s\n", "phase", "offered/s", "accept/s",
                "completed", "errors", "compl./s", "202 p50", "p99", "p99.9", "done p50", "p99", "p99.9", "RSS MiB",
                "CPU ms");
    for (auto& phase : result.phases) print_phase(phase);
    for (const auto& phase : result.phases) {
        if (!phase.first_error.empty())
            std::printf("%s: first error: %s\n", phase.name.c_str(), phase.first_error.c_str());
    }
    std::printf("gateway/direct throughput: %.0f / %.0f = %.2f\n", result.saturation(), direct_rate,
                direct_rate > 0 ? result.saturation() / direct_rate : 0.0);
    std::printf(
        "CPU per case in the max phase: gateway %.2f + database server %.2f + simulator %.2f + clients %.2f = "
        "%.2f ms\n",
        result.phases.at(result.max_phase).cpu_ms_per_case(), result.server_cpu_ms_per_case(),
        result.per_completed_case(result.max_simulator_cpu_s * 1000),
        result.per_completed_case(result.max_client_cpu_s * 1000), result.machine_cpu_ms_per_case());
    std::printf("memory of the first gateway with %zu cases in the store: RSS %.0f MiB, peak %.0f MiB; exit",
                result.cases, result.rss_after_fill, result.peak_after_fill);
    for (const int exit : result.exits) std::printf(" %d", exit);
    std::printf("\n");
    if (!result.max_statements.empty()) {
        const double completed = static_cast<double>(result.phases.at(result.max_phase).completed);
        std::printf(
            "database statements per case in the max phase (each one round trip, but BEGIN and SET LOCAL go as one): "
            "%.2f:\n",
            result.round_trips_per_case());
        std::printf("  calls  exec ms  plans plan ms (per case; plannings only if tracked)\n");
        for (const auto& statement : result.max_statements) {
            if (static_cast<double>(statement.calls) / completed < 0.01) break;
            std::string query = statement.query.substr(0, 100);
            for (char& c : query) {
                if (c == '\n' || c == '\t') c = ' ';
            }
            std::printf("  %5.2f  %7.3f  %5.2f %7.3f  %s\n", static_cast<double>(statement.calls) / completed,
                        statement.exec_ms / completed, static_cast<double>(statement.plans) / completed,
                        statement.plan_ms / completed, query.c_str());
        }
        std::printf(
            "PostgreSQL server per case in the max phase: CPU %.2f ms (all its processes), statements' "
            "exec time %.2f ms\n",
            result.server_cpu_ms_per_case(), result.server_exec_ms_per_case());
    }
}

Poco::JSON::Object::Ptr setup_json(SetupResult& result, double direct_rate, double sqlite_rate) {
    Poco::JSON::Object::Ptr json = new Poco::JSON::Object;
    json->set("store", result.setup.name);
    json->set("instances", result.setup.instances);
    Poco::JSON::Array::Ptr phase_list = new Poco::JSON::Array;
    for (auto& phase : result.phases) phase_list->add(phase_json(phase));
    json->set("phases", phase_list);
    json->set("gateway_direct_ratio", direct_rate > 0 ? result.saturation() / direct_rate : 0.0);
    if (sqlite_rate > 0) json->set("ratio_to_sqlite", result.saturation() / sqlite_rate);
    json->set("cases_in_store", static_cast<std::int64_t>(result.cases));
    json->set("peak_rss_mib", result.peak_after_fill);
    json->set("machine_cpu_ms_per_case", result.machine_cpu_ms_per_case());
    json->set("simulator_cpu_ms_per_case", result.per_completed_case(result.max_simulator_cpu_s * 1000));
    json->set("client_cpu_ms_per_case", result.per_completed_case(result.max_client_cpu_s * 1000));
    if (!result.max_statements.empty()) {
        json->set("round_trips_per_case", result.round_trips_per_case());
        json->set("server_cpu_ms_per_case", result.server_cpu_ms_per_case());
        json->set("server_exec_ms_per_case", result.server_exec_ms_per_case());
        Poco::JSON::Array::Ptr statements = new Poco::JSON::Array;
        for (const auto& statement : result.max_statements) {
            Poco::JSON::Object::Ptr row = new Poco::JSON::Object;
            row->set("query", statement.query);
            row->set("calls", statement.calls);
            row->set("exec_ms", statement.exec_ms);
            statements->add(row);
        }
        json->set("max_phase_statements", statements);
    }
    return json;
}

int run(const Options& options) {
    Poco::Net::initializeSSL();
    const std::string dir = std::string(VIKNO_BENCH_DIR) + "/load-" + std::to_string(::getpid());
    Poco::File(dir).createDirectories();
    const std::string body =
        testing::read_file(std::string(VIKNO_SOURCE_DIR) + "/config/samples/" + options.sample + ".json");
    if (body.empty()) throw std::runtime_error("no sample config/samples/" + options.sample + ".json");
    std::vector<Setup> setups;
    for (const auto& name : options.stores) {
        setups.push_back(parse_setup(name));
        // The same setup with another build's gateway, right after it: a before/after in one run.
        if (!options.baseline.empty()) {
            Setup before = setups.back();
            before.name += "@baseline";
            before.binary = options.baseline;
            setups.push_back(before);
        }
    }

    // The simulator answers at once (no fault injected) and records nothing, so
    // it is not the bottleneck.
    const std::string name = options.registry;
    testing::Process simulator(
        {std::string(VIKNO_BIN_DIR) + "/vikno-sim-" + name, "--port", "0", "--ready-file", dir + "/sim.ready",
         "--tls-cert", pki(name + "-tls.crt"), "--tls-key", pki(name + "-tls.key"), "--client-ca", pki("ca-chain.crt"),
         "--signing-cert", pki(name + "-signing.crt"), "--signing-key", pki(name + "-signing.key"),
         "--client-signing-cert", pki("gateway-signing.crt")},
        dir + "/sim.log");
    const std::string sim_address = testing::wait_ready(dir + "/sim.ready", simulator, "the " + name + " simulator");
    const std::string registry_port = sim_address.substr(sim_address.rfind(':') + 1);
    std::unique_ptr<BenchPostgres> postgres;
    for (const auto& setup : setups) {
        if (setup.postgres && !postgres) postgres = std::make_unique<BenchPostgres>(dir + "/postgres");
    }

    std::printf("vikno-load: %s to %s; %d dispatch workers, %d API clients; scratch %s\n", options.sample.c_str(),
                name.c_str(), options.workers, options.clients, dir.c_str());
    std::printf("direct: %d senders for %.0f s ...\n", options.workers, options.direct_seconds);
    std::fflush(stdout);
    // The direct senders read the plugin, keys and registry trust from a gateway configuration.
    const Gateway direct_config(dir + "/direct", options, registry_port);
    const double own_cpu_before = cpu_seconds(getpid());
    const double direct_simulator_before = cpu_seconds(simulator.pid());
    const DirectResult direct = run_direct(direct_config.config_path(), body, options.workers, options.direct_seconds);
    const double direct_rate = static_cast<double>(direct.completed) / direct.seconds;
    // What a direct client's own work costs per case (translate, sign, TLS, verify, read), to set
    // against the gateway's CPU per case; and the simulator's, to set against its share behind the gateway.
    const auto per_direct_case = [&](double seconds) {
        return direct.completed > 0 ? seconds * 1000 / static_cast<double>(direct.completed) : 0.0;
    };
    const double direct_cpu_ms = per_direct_case(cpu_seconds(getpid()) - own_cpu_before);
    const double direct_simulator_ms = per_direct_case(cpu_seconds(simulator.pid()) - direct_simulator_before);

    std::vector<SetupResult> results;
    for (const auto& setup : setups) {
        results.push_back(run_setup(options, setup, dir, body, registry_port, postgres.get(), simulator.pid()));
    }

    std::printf(
        "\ndirect baseline: %lld completed in %.1f s = %.0f cases/s, %lld errors%s%s; latency p50 %.2f ms, p99 %.2f "
        "ms, p99.9 %.2f ms; the client's CPU %.2f ms per case\n",
        static_cast<long long>(direct.completed), direct.seconds, direct_rate, static_cast<long long>(direct.errors),
        direct.first_error.empty() ? "" : ", first: ", direct.first_error.c_str(), direct.p50_ms, direct.p99_ms,
        direct.p999_ms, direct_cpu_ms);
    std::printf("direct CPU per case: client %.2f + simulator %.2f = %.2f ms\n", direct_cpu_ms, direct_simulator_ms,
                direct_cpu_ms + direct_simulator_ms);
    for (auto& result : results) print_setup(result, direct_rate);

    double sqlite_rate = 0;
    for (const auto& result : results) {
        if (!result.setup.postgres && result.setup.binary.empty()) sqlite_rate = result.saturation();
    }
    std::printf("\n%-12s %9s %11s %9s %9s %14s %12s %14s %12s\n", "store", "gateways", "max compl/s", "/ direct",
                "/ sqlite", "202 p99 @300/s", "statements", "CPU ms/case", "DB CPU ms");
    for (auto& result : results) {
        const double p99 = result.p99_202_at(300);
        std::printf("%-12s %9d %11.0f %9.2f %9.2f %14s %12s %14.2f %12s\n", result.setup.name.c_str(),
                    result.setup.instances, result.saturation(),
                    direct_rate > 0 ? result.saturation() / direct_rate : 0.0,
                    sqlite_rate > 0 ? result.saturation() / sqlite_rate : 0.0,
                    p99 < 0 ? "-" : std::to_string(p99).substr(0, std::to_string(p99).find('.') + 2).c_str(),
                    result.setup.postgres ? std::to_string(result.round_trips_per_case()).substr(0, 5).c_str() : "-",
                    result.phases.at(result.max_phase).cpu_ms_per_case(),
                    result.setup.postgres ? std::to_string(result.server_cpu_ms_per_case()).substr(0, 5).c_str() : "-");
    }

    Poco::JSON::Object report;
    report.set("sample", options.sample);
    report.set("workers", options.workers);
    report.set("clients", options.clients);
    report.set("direct_completed_per_s", direct_rate);
    report.set("direct_errors", direct.errors);
    report.set("direct_p50_ms", direct.p50_ms);
    report.set("direct_simulator_cpu_ms_per_case", direct_simulator_ms);
    report.set("direct_p99_ms", direct.p99_ms);
    report.set("direct_client_cpu_ms_per_case", direct_cpu_ms);
    Poco::JSON::Array::Ptr setup_list = new Poco::JSON::Array;
    for (auto& result : results) setup_list->add(setup_json(result, direct_rate, sqlite_rate));
    report.set("setups", setup_list);
    const std::string report_path =
        options.report.empty() ? std::string(VIKNO_BENCH_DIR) + "/load-report.json" : options.report;
    std::ofstream out(report_path);
    report.stringify(out, 2);
    std::printf("report: %s\n", report_path.c_str());
    postgres.reset();
    if (!options.keep) Poco::File(dir).remove(true);
    // Slow is a figure, not a failure; a lost case, an unanswered request or an unclean stop is one
    // (so a short run is CI's smoke test). Refusals (503 overloaded past capacity) are reported only.
    std::vector<std::string> failures;
    if (direct.errors > 0) failures.push_back("the direct baseline had " + std::to_string(direct.errors) + " errors");
    for (const auto& result : results) {
        for (const auto& phase : result.phases) {
            if (phase.failed > 0 || phase.not_completed > 0) {
                failures.push_back(result.setup.name + " " + phase.name + ": " + std::to_string(phase.failed) +
                                   " unanswered, " + std::to_string(phase.not_completed) +
                                   " accepted but not completed");
            }
        }
        for (const int exit : result.exits) {
            if (exit != 0)
                failures.push_back(result.setup.name + ": a gateway stopped with exit " + std::to_string(exit));
        }
    }
    for (const auto& failure : failures) std::printf("FAILED: %s\n", failure.c_str());
    return failures.empty() ? 0 : 1;
}

}  // namespace
}  // namespace vikno::bench

int main(int argc, char** argv) {
    try {
        return vikno::bench::run(vikno::bench::parse_options(argc, argv));
    } catch (const std::exception& e) {
        std::cerr << "vikno-load: " << e.what() << "\n";
        return 2;
    }
}
