#pragma once
// Thin RAII over sqlite3 prepared statements and transactions; errors become
// exceptions that carry SQLite's own message.

#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace vikno::gateway::sqlite {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

void check(sqlite3* db, int rc, const char* what);
void exec(sqlite3* db, const char* sql);

/// Prepared statements kept for reuse on one connection: preparing (parsing and
/// planning the SQL) was a tenth of the gateway's CPU under load when every
/// call prepared its statements afresh. Not thread-safe: used under the owner's
/// lock, like the connection.
class StatementCache {
public:
    explicit StatementCache(sqlite3* db) : db_(db) {}
    ~StatementCache();
    StatementCache(const StatementCache&) = delete;
    StatementCache& operator=(const StatementCache&) = delete;

    sqlite3* db() const { return db_; }
    /// A reset statement for `sql`: an idle cached one, or a newly prepared one.
    sqlite3_stmt* take(const char* sql);
    void give(sqlite3_stmt* stmt);

private:
    sqlite3* db_;
    std::unordered_map<std::string, std::vector<sqlite3_stmt*>> idle_;
};

class Statement {
public:
    Statement(sqlite3* db, const char* sql);
    /// Borrows from `cache` and gives the statement back (reset) when destroyed.
    Statement(StatementCache& cache, const char* sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, const std::string& text);
    Statement& bind_blob(int index, const std::string& bytes);
    Statement& bind(int index, std::int64_t number);
    /// True while there is a row; false when done.
    bool step();
    /// Runs to completion (for statements without rows) and resets.
    void run();
    void reset();

    std::string text(int column) const;
    std::int64_t integer(int column) const;
    bool is_null(int column) const;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
    StatementCache* cache_ = nullptr;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed without commit().
class Transaction {
public:
    explicit Transaction(sqlite3* db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    sqlite3* db_;
    bool done_ = false;
};

}  // namespace vikno::gateway::sqlite
