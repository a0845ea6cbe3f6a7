#pragma once
// Which claims this instance's workers hold, so that a claim whose reply the database connection lost
// (its COMMIT may have gone through: the row is ours, but no worker knows) can be given back once the
// database answers again. Used by the dispatcher (outbox rows) and the event sender (events).

#include "common/storage_full.h"

#include <mutex>
#include <set>
#include <vector>

namespace vikno::gateway {

template <typename Key>
class HeldClaims {
public:
    /// Runs `claim()` (an optional item); on StoreUnavailable remembers that a reply may be lost, and
    /// before the next claim calls `release(held)` with the keys the workers hold. `key_of(item)` is
    /// recorded as held until let_go(). Callers serialise take() themselves (under one lock of theirs)
    /// when they must keep more in step with the claim.
    template <typename Claim, typename KeyOf, typename Release>
    auto take(const Claim& claim, const KeyOf& key_of, const Release& release) {
        std::lock_guard lock(mutex_);
        if (reply_lost_) {
            release(std::vector<Key>(held_.begin(), held_.end()));
            reply_lost_ = false;
        }
        try {
            auto item = claim();
            if (item) held_.insert(key_of(*item));
            return item;
        } catch (const StoreUnavailable&) {
            reply_lost_ = true;
            throw;
        }
    }

    /// Records `key` as held without a claim of take()'s: a case claimed by its own submission for
    /// a worker, held from before that commit so that no release() can miss it.
    void hold(const Key& key) {
        std::lock_guard lock(mutex_);
        held_.insert(key);
    }

    void let_go(const Key& key) {
        std::lock_guard lock(mutex_);
        held_.erase(key);
    }

    /// Holds `key` for a scope (the length of a worker's work on it).
    class Hold {
    public:
        Hold(HeldClaims& claims, Key key) : claims_(claims), key_(std::move(key)) {}
        ~Hold() { claims_.let_go(key_); }
        Hold(const Hold&) = delete;
        Hold& operator=(const Hold&) = delete;

    private:
        HeldClaims& claims_;
        Key key_;
    };

private:
    std::mutex mutex_;
    std::set<Key> held_;
    bool reply_lost_ = false;
};

}  // namespace vikno::gateway
