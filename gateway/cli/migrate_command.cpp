// `vikno migrate`: a single gateway's SQLite store and file audit log, copied into an empty
// PostgreSQL database, so that several instances can go on from where the one gateway stopped.
#include "audit/audit_log.h"
#include "audit/log_files.h"
#include "audit/postgres_audit_log.h"
#include "cli/commands.h"
#include "config/config.h"
#include "store/pg_connection.h"
#include "store/postgres_case_store.h"
#include "store/sqlite_statement.h"

#include <vikno/signing.h>

#include <functional>
#include <iostream>
#include <map>

namespace vikno::gateway::cli {
namespace {

constexpr const char* kUsage =
    "usage: vikno migrate --to CONNINFO [--from FILE] [--audit DIR] [--config FILE]\n"
    "  copies the SQLite store (default store.path) and the audit log (default audit.dir) into an empty\n"
    "  PostgreSQL database; stop the gateway first.\n";

// The parameters a row gives beyond its `kinds`, computed from the row (copy_exchanges).
using MoreParams = std::function<void(const sqlite::Statement& row, pg::Params& params)>;

// Copies every row of `select` (SQLite) into `insert` (PostgreSQL); `kinds` says per column how the
// value goes: t text, i integer, b bytes, ? text or NULL, B integer as boolean. `more` adds the
// parameters that follow.
std::int64_t copy_rows(sqlite3* from, pg::Connection& to, const char* select, const char* insert,
                       const std::string& kinds, const MoreParams& more = {}) {
    sqlite::Statement rows(from, select);
    std::int64_t copied = 0;
    while (rows.step()) {
        pg::Params params;
        for (std::size_t i = 0; i < kinds.size(); ++i) {
            const int column = static_cast<int>(i);
            switch (kinds[i]) {
                case 'i':
                    params.integer(rows.integer(column));
                    break;
                case 'b':
                    params.bytes(rows.text(column));
                    break;
                case 'B':
                    params.text(rows.integer(column) != 0 ? "true" : "false");
                    break;
                case '?':
                    if (rows.is_null(column))
                        params.null();
                    else
                        params.text(rows.text(column));
                    break;
                default:
                    params.text(rows.text(column));
                    break;
            }
        }
        if (more) more(rows, params);
        to.exec(insert, params);
        ++copied;
    }
    return copied;
}

// Exchanges, each still referring to its audit entry where it did: the SQLite store names the line
// (seq and offset in entries.jsonl), PostgreSQL the digest audit_entries keeps for the copied line.
std::int64_t copy_exchanges(sqlite3* from, pg::Connection& to, const std::string& entries_path) {
    // A store this version never opened for writing has no reference columns yet.
    const bool referring =
        sqlite::Statement(from, "SELECT 1 FROM pragma_table_info('exchanges') WHERE name = 'audit_seq'").step();
    const char* select = referring ? "SELECT case_id, attempt, registry, endpoint, started_ms, duration_ms, request, "
                                     "response, http_status, error, audit_seq, audit_offset FROM exchanges ORDER BY "
                                     "rowid"
                                   : "SELECT case_id, attempt, registry, endpoint, started_ms, duration_ms, request, "
                                     "response, http_status, error, NULL, NULL FROM exchanges ORDER BY rowid";
    return copy_rows(
        from, to, select,
        "INSERT INTO exchanges(case_id, attempt, registry, endpoint, started_ms, duration_ms, request, response, "
        "http_status, error, audit_digest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        "tittiibbit", [&](const sqlite::Statement& row, pg::Params& params) {
            if (row.is_null(10)) {
                params.null();  // written before the reference: the row keeps its bytes
                return;
            }
            const auto seq = static_cast<std::uint64_t>(row.integer(10));
            const auto line = audit::entry_line_at(entries_path, seq, static_cast<std::uint64_t>(row.integer(11)));
            if (!line) {
                throw std::runtime_error("an exchange of case " + row.text(0) + " refers to audit entry " +
                                         std::to_string(seq) + ", which " + entries_path +
                                         " does not hold where the store says: give --audit the folder of the "
                                         "audit log this store was written with (check it with 'vikno audit "
                                         "verify --dir DIR')");
            }
            params.text(crypto::sha256_hex(*line));
        });
}

int migrate_store(const std::string& sqlite_path, const std::string& audit_dir, const std::string& conninfo) {
    sqlite3* from = nullptr;
    if (sqlite3_open_v2(sqlite_path.c_str(), &from, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        std::cerr << "vikno migrate: cannot open " << sqlite_path << ": " << sqlite3_errmsg(from) << "\n";
        sqlite3_close(from);
        return 2;
    }
    const std::unique_ptr<sqlite3, int (*)(sqlite3*)> guard(from, &sqlite3_close);
    pg::Connection to(conninfo);
    pg::Transaction tx(to);
    PostgresCaseStore::create_schema(to);
    audit::PostgresAuditLog::create_schema(to);
    if (!to.exec("SELECT 1 FROM cases LIMIT 1").empty() || !to.exec("SELECT 1 FROM audit_entries LIMIT 1").empty()) {
        std::cerr << "vikno migrate: the database already holds cases or an audit log; migrate into an empty one\n";
        return 2;
    }
    std::map<std::string, std::int64_t> counts;
    PostgresCaseStore::bulk_load(to, [&] {
        counts["cases"] = copy_rows(
            from, to,
            "SELECT id, service, office_id, idempotency_key, body_hash, submission, status, outcome, created_ms, "
            "updated_ms, callback_url, parent_id, step_id, cancel_requested FROM cases",
            "INSERT INTO cases(id, service, office_id, idempotency_key, body_hash, submission, status, outcome, "
            "created_ms, updated_ms, callback_url, parent_id, step_id, cancel_requested) VALUES ($1, $2, $3, $4, $5, "
            "$6, $7, $8, $9, $10, $11, $12, $13, $14)",
            "ttttttt?ii???B");
    });
    counts["history"] =
        copy_rows(from, to, "SELECT case_id, at_ms, status, note FROM case_history ORDER BY rowid",
                  "INSERT INTO case_history(case_id, at_ms, status, note) VALUES ($1, $2, $3, $4)", "titt");
    // Claims of the stopped gateway are void: every row is due again, under its message id.
    counts["outbox"] = copy_rows(
        from, to,
        "SELECT o.case_id, o.message_id, c.service, o.attempts, o.due_ms FROM outbox o JOIN cases c ON c.id = "
        "o.case_id",
        "INSERT INTO outbox(case_id, message_id, service, attempts, due_ms) VALUES ($1, $2, $3, $4, $5)", "tttii");
    counts["awaited callbacks"] = copy_rows(
        from, to,
        "SELECT registry, correlation, case_id, CASE state WHEN 'taking' THEN 'awaiting' ELSE state END FROM awaiting",
        "INSERT INTO awaiting(registry, correlation, case_id, state) VALUES ($1, $2, $3, $4)", "tttt");
    counts["exchanges"] = copy_exchanges(from, to, audit_dir + "/" + audit::kEntriesFile);
    counts["events"] = copy_rows(
        from, to,
        "SELECT seq, event_id, case_id, url, status, note, outcome, at_ms, delivered, attempts, due_ms, last_error, "
        "step FROM events ORDER BY seq",
        "INSERT INTO events(seq, event_id, case_id, url, status, note, outcome, at_ms, delivered, attempts, due_ms, "
        "last_error, step) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        "ittttt?iBiit?");
    to.exec("SELECT setval('events_seq_seq', GREATEST((SELECT COALESCE(MAX(seq), 0) FROM events), 1))");
    counts["steps"] = copy_rows(
        from, to, "SELECT situation_id, step_id, position, service, optional, status, case_id, reason FROM steps",
        "INSERT INTO steps(situation_id, step_id, position, service, optional, status, case_id, reason) VALUES ($1, "
        "$2, $3, $4, $5, $6, $7, $8)",
        "ttitBt?t");

    // The audit log, line for line: the same leaves, the same signed checkpoints. The next sequencer
    // checks them against the last checkpoint before it extends the log.
    const auto entries = audit::read_lines(audit_dir + "/" + audit::kEntriesFile);
    for (std::size_t i = 0; i < entries.lines.size(); ++i) {
        to.exec("INSERT INTO audit_entries(seq, line, digest) VALUES ($1, $2, $3)",
                pg::Params()
                    .integer(static_cast<std::int64_t>(i))
                    .text(entries.lines[i])
                    .text(crypto::sha256_hex(entries.lines[i])));
    }
    const auto checkpoints = audit::read_lines(audit_dir + "/" + audit::kCheckpointsFile);
    for (const auto& line : checkpoints.lines) {
        const auto checkpoint = audit::parse_checkpoint(line);
        if (!checkpoint) {
            std::cerr << "vikno migrate: " << audit_dir << "/" << audit::kCheckpointsFile
                      << " has a line that is not a checkpoint; run 'vikno audit verify' on it first\n";
            return 1;
        }
        to.exec("INSERT INTO audit_checkpoints(tree_size, line) VALUES ($1, $2) ON CONFLICT (tree_size) DO NOTHING",
                pg::Params().integer(static_cast<std::int64_t>(checkpoint->tree_size)).text(line));
    }
    tx.commit();
    std::cout << "migrated " << sqlite_path << " and " << audit_dir << ":";
    for (const auto& [what, count] : counts) std::cout << " " << count << " " << what << ",";
    std::cout << " " << entries.lines.size() << " audit entries, " << checkpoints.lines.size() << " checkpoints\n";
    return 0;
}

}  // namespace

int migrate(const std::vector<std::string>& args) {
    std::map<std::string, std::string> options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i].rfind("--", 0) != 0 || i + 1 >= args.size()) {
            std::cerr << kUsage;
            return 2;
        }
        options[args[i].substr(2)] = args[i + 1];
        ++i;
    }
    if (options["to"].empty()) {
        std::cerr << kUsage;
        return 2;
    }
    try {
        std::string from = options["from"];
        std::string audit_dir = options["audit"];
        if (from.empty() || audit_dir.empty()) {
            const Config config = load_config(options.count("config") ? options["config"] : default_config_path());
            if (from.empty()) from = config.store.path;
            if (audit_dir.empty()) audit_dir = config.audit.dir;
        }
        return migrate_store(from, audit_dir, options["to"]);
    } catch (const std::exception& e) {
        std::cerr << "vikno migrate: " << e.what() << " (nothing was copied)\n";
        return 2;
    }
}

}  // namespace vikno::gateway::cli
