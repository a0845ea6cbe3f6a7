#pragma once
// Write transactions that arrive together share one SQLite transaction. Under load most of the
// embedded store's cost was per transaction, not per row: BEGIN, COMMIT, and the WAL frames of
// pages every case touches (the status counts, the ends of the history and outbox trees), written
// again by each commit. The first caller to find no transaction running takes every piece of work
// queued meanwhile, runs each in a savepoint of its own and commits once; the others wait for
// that commit. A piece that throws rolls back only its own changes, and its caller gets the
// exception; the others still commit.

#include "common/taking_turns.h"
#include "store/sqlite_statement.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>

namespace vikno::gateway::sqlite {

class SharedTransactions {
public:
    /// `connection` is the lock every user of `statements`' connection holds.
    SharedTransactions(StatementCache& statements, std::mutex& connection);

    /// Runs `work` in a write transaction, alone or with others', and returns once that transaction
    /// has committed (written to the WAL, not necessarily synced). Returns the commit's number,
    /// counted from 1, for the caller's durability wait. Rethrows what `work` threw, or the
    /// commit's error (then nothing of `work` was kept).
    std::uint64_t run(const std::function<void()>& work);

    /// Commits made so far (through run and through count_commit).
    std::uint64_t committed() const { return committed_.load(); }
    /// Counts a commit made outside run (by a caller holding `connection`); returns its number.
    std::uint64_t count_commit() { return ++committed_; }

private:
    struct Piece : TurnJob {
        const std::function<void()>* work = nullptr;
        std::uint64_t commit = 0;
    };
    void run_batch(TakingTurns<Piece>::Batch& batch);

    StatementCache& statements_;
    std::mutex& connection_;
    TakingTurns<Piece> turns_;
    std::atomic<std::uint64_t> committed_{0};
};

}  // namespace vikno::gateway::sqlite
