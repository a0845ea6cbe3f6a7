#pragma once
// The PostgreSQL that vikno-load measures against: a throwaway cluster
// (tests/support/pg_test_cluster.sh) with pg_stat_statements loaded, one
// database per measured setup, and the server's own count of the statements
// each database ran (the gateway's database round trips) and its CPU.

#include <cstdint>
#include <string>
#include <vector>

namespace vikno::bench {

struct StatementCount {
    std::string query;  ///< normalised by pg_stat_statements ($1 for constants)
    std::int64_t calls = 0;
    double exec_ms = 0;      ///< the server's time executing it, all calls together (total_exec_time)
    std::int64_t plans = 0;  ///< times it was planned (0 unless pg_stat_statements.track_planning is on)
    double plan_ms = 0;      ///< the server's time planning it (the same)
};

class BenchPostgres {
public:
    /// Starts the cluster in `dir`; throws with the script's message when it cannot.
    explicit BenchPostgres(std::string dir);
    /// Stops the cluster and removes its files but its log, kept as DIR.server.log.
    ~BenchPostgres();
    BenchPostgres(const BenchPostgres&) = delete;
    BenchPostgres& operator=(const BenchPostgres&) = delete;

    /// Creates an empty database; returns its libpq connection string.
    std::string create_database(const std::string& name);
    /// Forgets every statement counted so far (all databases).
    void reset_counts();
    /// The statements `database` ran since the last reset, most frequent first.
    std::vector<StatementCount> counts(const std::string& database);
    /// CPU seconds the server has used so far: the postmaster and every backend, live or exited.
    double cpu_seconds() const;

private:
    std::string home() const;  ///< where the cluster's data and log are

    std::string dir_;
    std::string admin_conninfo_;  ///< the cluster's "vikno" database, which holds the extension
};

}  // namespace vikno::bench
