#include "store/sqlite_statement.h"

#include "common/storage_full.h"

namespace vikno::gateway::sqlite {
namespace {

// SQLite says SQLITE_FULL for ENOSPC; a write refused by a quota or a file size limit comes as an
// I/O error whose errno tells.
bool out_of_space(sqlite3* db, int rc) {
    return (rc & 0xff) == SQLITE_FULL || ((rc & 0xff) == SQLITE_IOERR && is_out_of_space(sqlite3_system_errno(db)));
}

}  // namespace

void check(sqlite3* db, int rc, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) {
        if (out_of_space(db, rc)) throw StorageFull(std::string("store: ") + sqlite3_errmsg(db));
        throw Error(std::string(what) + ": " + sqlite3_errmsg(db));
    }
}

void exec(sqlite3* db, const char* sql) {
    char* message = nullptr;
    if (const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message); rc != SQLITE_OK) {
        std::string text = message != nullptr ? message : "unknown error";
        sqlite3_free(message);
        if (out_of_space(db, rc)) throw StorageFull("store: " + text);
        throw Error(std::string("SQLite: ") + text);
    }
}

Statement::Statement(sqlite3* db, const char* sql) : db_(db) {
    check(db_, sqlite3_prepare_v2(db_, sql, -1, &stmt_, nullptr), sql);
}

Statement::Statement(StatementCache& cache, const char* sql)
    : db_(cache.db()), stmt_(cache.take(sql)), cache_(&cache) {}

Statement::~Statement() {
    if (cache_ == nullptr) {
        sqlite3_finalize(stmt_);
        return;
    }
    reset();
    cache_->give(stmt_);
}

StatementCache::~StatementCache() {
    for (auto& [sql, list] : idle_) {
        for (sqlite3_stmt* stmt : list) sqlite3_finalize(stmt);
    }
}

sqlite3_stmt* StatementCache::take(const char* sql) {
    if (auto it = idle_.find(sql); it != idle_.end() && !it->second.empty()) {
        sqlite3_stmt* stmt = it->second.back();
        it->second.pop_back();
        return stmt;
    }
    sqlite3_stmt* stmt = nullptr;
    check(db_, sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr), sql);
    return stmt;
}

void StatementCache::give(sqlite3_stmt* stmt) { idle_[sqlite3_sql(stmt)].push_back(stmt); }

Statement& Statement::bind(int index, const std::string& text) {
    check(db_, sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT), "bind");
    return *this;
}

Statement& Statement::bind_blob(int index, const std::string& bytes) {
    check(db_, sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT), "bind");
    return *this;
}

Statement& Statement::bind(int index, std::int64_t number) {
    check(db_, sqlite3_bind_int64(stmt_, index, number), "bind");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    check(db_, rc, sqlite3_sql(stmt_));
    return rc == SQLITE_ROW;
}

void Statement::run() {
    while (step()) {}
    reset();
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::string Statement::text(int column) const {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    const int size = sqlite3_column_bytes(stmt_, column);
    return data != nullptr ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

Transaction::Transaction(sqlite3* db) : db_(db) { exec(db_, "BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
    if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    exec(db_, "COMMIT");
    done_ = true;
}

}  // namespace vikno::gateway::sqlite
