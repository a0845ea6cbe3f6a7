#pragma once
// Thin RAII over sqlite3 prepared statements and transactions; errors become exceptions that
// carry SQLite's own message.

#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace vikno::gateway::sqlite {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

void check(sqlite3* db, int rc, const char* what);
void exec(sqlite3* db, const char* sql);

class Statement {
public:
    Statement(sqlite3* db, const char* sql);
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
