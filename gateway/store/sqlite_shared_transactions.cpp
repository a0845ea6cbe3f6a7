#include "store/sqlite_shared_transactions.h"

#include <utility>

namespace vikno::gateway::sqlite {
namespace {

// Bounds how long the first caller of a batch waits for the others' work (a few milliseconds at most).
constexpr std::size_t kMaxBatch = 32;

void run_statement(StatementCache& statements, const char* sql) { Statement(statements, sql).run(); }

}  // namespace

SharedTransactions::SharedTransactions(StatementCache& statements, std::mutex& connection)
    : statements_(statements), connection_(connection), turns_(kMaxBatch) {}

std::uint64_t SharedTransactions::run(const std::function<void()>& work) {
    auto piece = std::make_shared<Piece>();
    piece->work = &work;
    turns_.run(piece, [this](TakingTurns<Piece>::Batch& batch) { run_batch(batch); });
    return piece->commit;
}

void SharedTransactions::run_batch(TakingTurns<Piece>::Batch& batch) {
    const std::lock_guard connection(connection_);
    sqlite3* db = statements_.db();
    try {
        run_statement(statements_, "BEGIN IMMEDIATE");
    } catch (...) {
        for (auto& pending : batch) pending->error = std::current_exception();
        return;
    }
    std::exception_ptr fatal;
    for (auto& pending : batch) {
        if (fatal) {
            pending->error = fatal;
            continue;
        }
        try {
            run_statement(statements_, "SAVEPOINT piece");
            (*pending->work)();
            run_statement(statements_, "RELEASE piece");
        } catch (...) {
            pending->error = std::current_exception();
            // SQLite ends the whole transaction itself on some errors (a full disk, I/O): then
            // nothing of the batch can be kept.
            try {
                if (sqlite3_get_autocommit(db) != 0) throw Error("the store's transaction was rolled back");
                run_statement(statements_, "ROLLBACK TO piece");
                run_statement(statements_, "RELEASE piece");
            } catch (...) {
                fatal = pending->error;
            }
        }
    }
    if (!fatal) {
        try {
            run_statement(statements_, "COMMIT");
            const std::uint64_t commit = ++committed_;
            for (auto& pending : batch) pending->commit = commit;
            return;
        } catch (...) {
            fatal = std::current_exception();
        }
    }
    if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    for (auto& pending : batch) {
        if (!pending->error) pending->error = fatal;
    }
}

}  // namespace vikno::gateway::sqlite
