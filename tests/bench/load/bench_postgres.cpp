#include "bench_postgres.h"

#include "../process_cpu.h"
#include "store/pg_connection.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace vikno::bench {
namespace {

std::string cluster_script() { return std::string(VIKNO_SOURCE_DIR) + "/tests/support/pg_test_cluster.sh"; }

void run_script(const std::string& action, const std::string& dir) {
    const std::string command =
        "'" + cluster_script() + "' " + action + " '" + dir + "' >'" + dir + "." + action + ".log' 2>&1";
    if (std::system(command.c_str()) != 0) {
        std::ifstream log(dir + "." + action + ".log");
        const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
        throw std::runtime_error("cannot " + action + " the benchmark's PostgreSQL (" + cluster_script() +
                                 "; postgresql-15 is installed by 'make deps'): " + text);
    }
}

}  // namespace

BenchPostgres::BenchPostgres(std::string dir) : dir_(std::move(dir)) {
    // The statements are counted by the server, so the gateway is measured unchanged. More settings
    // for a closer look come from VIKNO_LOAD_PG_OPTIONS (docs/performance.md: auto_explain).
    std::string options = "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_utility=on";
    if (const char* more = std::getenv("VIKNO_LOAD_PG_OPTIONS")) options += " " + std::string(more);
    ::setenv("VIKNO_PG_SERVER_OPTIONS", options.c_str(), 1);
    run_script("start", dir_);
    std::ifstream in(dir_ + "/conninfo");
    std::getline(in, admin_conninfo_);
    gateway::pg::Connection admin(admin_conninfo_);
    admin.exec_script("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
}

BenchPostgres::~BenchPostgres() {
    try {
        // The server's log outlives the cluster (as root its files are removed with it): DIR.server.log.
        std::ifstream log(home() + "/server.log", std::ios::binary);
        if (log) std::ofstream(dir_ + ".server.log", std::ios::binary) << log.rdbuf();
        run_script("stop", dir_);
    } catch (const std::exception&) {
        // Stopping is best effort; the cluster's files are under the scratch folder or /tmp.
    }
}

std::string BenchPostgres::create_database(const std::string& name) {
    gateway::pg::Connection admin(admin_conninfo_);
    admin.exec_script(("CREATE DATABASE " + name).c_str());
    const auto at = admin_conninfo_.find("dbname=");
    const auto end = admin_conninfo_.find(' ', at);
    return admin_conninfo_.substr(0, at) + "dbname=" + name +
           (end == std::string::npos ? std::string() : admin_conninfo_.substr(end));
}

void BenchPostgres::reset_counts() {
    gateway::pg::Connection admin(admin_conninfo_);
    admin.exec("SELECT pg_stat_statements_reset()");
}

std::vector<StatementCount> BenchPostgres::counts(const std::string& database) {
    gateway::pg::Connection admin(admin_conninfo_);
    const auto rows = admin.exec(
        "SELECT s.query, sum(s.calls)::bigint, sum(s.total_exec_time)::float8, sum(s.plans)::bigint, "
        "sum(s.total_plan_time)::float8 FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
        "WHERE d.datname = $1 GROUP BY s.query ORDER BY 2 DESC",
        gateway::pg::Params().text(database));
    std::vector<StatementCount> counts;
    for (int row = 0; row < rows.rows(); ++row) {
        counts.push_back({rows.text(row, 0), rows.integer(row, 1), std::stod(rows.text(row, 2)), rows.integer(row, 3),
                          std::stod(rows.text(row, 4))});
    }
    return counts;
}

std::string BenchPostgres::home() const {
    // The cluster's files are in DIR, or (as root) in the folder DIR/location names
    // (tests/support/pg_test_cluster.sh).
    std::string home = dir_;
    if (std::ifstream location(dir_ + "/location"); location) std::getline(location, home);
    return home;
}

double BenchPostgres::cpu_seconds() const {
    // The postmaster's pid is the first line of its pid file.
    std::ifstream pid_file(home() + "/data/postmaster.pid");
    pid_t pid = 0;
    if (!(pid_file >> pid)) return 0;
    return process_tree_cpu_seconds(pid);
}

}  // namespace vikno::bench
