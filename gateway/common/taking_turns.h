#pragma once
// Callers that each need the same costly step (a commit, a sync) take turns doing it for everyone
// queued at the time: the caller that finds nobody at work runs the whole queue as one batch, then
// hands the turn to the first caller queued meanwhile. Each waiting caller is woken exactly once,
// either with its job done or with the turn; under load the gateway's threads had spent a third
// of their thread switches waking on a shared condition variable only to block again on its mutex.

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <vector>

namespace vikno::gateway {

/// What a job shares with the queue; a job type derives from it and adds its input and result.
struct TurnJob {
    std::exception_ptr error;  // what the batch threw for this job, rethrown by run()

private:
    template <class Job>
    friend class TakingTurns;
    enum : int { kWaiting, kDone, kLead };
    std::atomic<int> turn{kWaiting};
};

// A waiting caller sleeps on its job's word with the futex itself: std::atomic::wait (libstdc++ 12)
// first spins in sched_yield, and the wait here is a commit or a sync, hundreds of microseconds; the
// yielding was 4.5 % of the gateway's samples under load (docs/performance.md).
inline void sleep_while(const std::atomic<int>& word, int value) {
    static_assert(sizeof(std::atomic<int>) == sizeof(int) && std::atomic<int>::is_always_lock_free);
    while (word.load(std::memory_order_acquire) == value) {
        ::syscall(SYS_futex, reinterpret_cast<const int*>(&word), FUTEX_WAIT_PRIVATE, value, nullptr, nullptr, 0);
    }
}

inline void wake_one(std::atomic<int>& word) {
    ::syscall(SYS_futex, reinterpret_cast<int*>(&word), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

template <class Job>
class TakingTurns {
public:
    using Batch = std::vector<std::shared_ptr<Job>>;

    explicit TakingTurns(std::size_t max_batch) : max_batch_(max_batch) {}

    /// Returns once `job` has been through `work`, run by this caller or another one. `work` runs
    /// one batch at a time and records each job's result in it; what it throws becomes every job's
    /// error. Rethrows the job's error.
    template <class Work>
    void run(const std::shared_ptr<Job>& job, Work&& work) {
        std::unique_lock lock(mutex_);
        queue_.push_back(job);
        if (busy_) {
            lock.unlock();
            sleep_while(job->turn, TurnJob::kWaiting);
            if (job->turn.load() == TurnJob::kDone) {
                if (job->error) std::rethrow_exception(job->error);
                return;
            }
            lock.lock();  // the turn was handed over with this job first in the queue
        }
        busy_ = true;
        Batch batch;
        while (!queue_.empty() && batch.size() < max_batch_) {
            batch.push_back(std::move(queue_.front()));
            queue_.pop_front();
        }
        lock.unlock();
        try {
            work(batch);
        } catch (...) {
            for (auto& done : batch) done->error = std::current_exception();
        }
        lock.lock();
        std::shared_ptr<Job> next;
        if (queue_.empty()) {
            busy_ = false;
        } else {
            next = queue_.front();
        }
        lock.unlock();
        for (auto& done : batch) {
            if (done == job) continue;
            done->turn.store(TurnJob::kDone, std::memory_order_release);
            wake_one(done->turn);
        }
        if (next) {
            next->turn.store(TurnJob::kLead, std::memory_order_release);
            wake_one(next->turn);
        }
        if (job->error) std::rethrow_exception(job->error);
    }

private:
    const std::size_t max_batch_;
    std::mutex mutex_;
    std::deque<std::shared_ptr<Job>> queue_;  // under mutex_
    bool busy_ = false;                       // a caller is running a batch; under mutex_
};

}  // namespace vikno::gateway
