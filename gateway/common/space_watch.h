#pragma once
// Whether the disk has room for the gateway's writes (docs/reliability.md, "A full disk").
//
// Two conditions, both on the file systems that hold the store and the audit log:
//   low   less than store.min_free_bytes free: new cases are refused (503 storage-full), so that
//         the cases already accepted keep the room they need to finish;
//   full  a write was refused for lack of space: dispatch and the other writers pause (no case is
//         failed and no attempt is spent on it) until min_free_bytes are free again.
// Both clear by themselves when space comes back; no restart.

#include "common/storage_full.h"

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vikno::gateway {

class SpaceWatch {
public:
    /// `dirs`: folders on the file systems to watch (the store's and the audit log's).
    SpaceWatch(std::vector<std::string> dirs, std::int64_t min_free_bytes);

    /// A write was refused for lack of space (`what` says which, for the log).
    void report_full(const std::string& what);
    /// The store's database did not answer (logged at most once per 10 s).
    void report_unavailable(const std::string& what);
    /// Writes may be tried: none was refused, or min_free_bytes are free again since.
    bool writable();
    /// New cases may be accepted: writable and at least min_free_bytes free.
    bool accepting();

    struct State {
        bool full = false;  ///< a write was refused and room is not back yet
        bool low = false;   ///< below min_free_bytes
        std::int64_t free_bytes = -1;
        std::int64_t since_ms = 0;   ///< when the current condition began (0: none)
        std::uint64_t episodes = 0;  ///< times a write was refused for lack of space since the start
        std::string reason;          ///< the last refused write
    };
    State state();

    /// Runs `write` until it succeeds, waiting for room whenever it throws StorageFull (and for the
    /// database whenever it throws StoreUnavailable); false (and `write` not done) when `stopping()`
    /// turns true first.
    template <typename Write, typename Stopping>
    bool retry_until_written(const Write& write, const Stopping& stopping) {
        while (true) {
            try {
                write();
                return true;
            } catch (const StorageFull& e) {
                report_full(e.what());
            } catch (const StoreUnavailable& e) {
                report_unavailable(e.what());
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            }
            while (!writable()) {
                if (stopping()) return false;
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            }
            if (stopping()) return false;
        }
    }

private:
    void refresh_locked(std::int64_t now);

    std::vector<std::string> dirs_;
    std::int64_t min_free_bytes_;
    std::mutex mutex_;
    std::int64_t checked_ms_ = 0;
    std::int64_t free_bytes_ = -1;
    bool full_ = false;
    bool low_ = false;
    std::int64_t full_since_ms_ = 0;
    std::int64_t low_since_ms_ = 0;
    std::uint64_t episodes_ = 0;
    std::uint64_t refused_ = 0;  // writes refused in the current episode
    std::string reason_;
    std::int64_t unavailable_logged_ms_ = 0;
};

}  // namespace vikno::gateway
