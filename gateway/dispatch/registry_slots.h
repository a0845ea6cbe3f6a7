#pragma once
// How many exchanges each registry has in flight, against its limit. A registry that stops
// answering holds a worker until the exchange's deadline; without a limit every worker ends up
// waiting on it and the healthy registries' cases queue behind. The dispatcher claims only cases
// whose registry has a free slot (the store skips the others' services).

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace vikno::gateway {

class RegistrySlots {
public:
    /// `registry` may have `limit` exchanges at once; `services` are the service codes it serves.
    void add(const std::string& registry, int limit, std::vector<std::string> services);

    /// The services of every registry with no free slot: what a claim must skip.
    std::vector<std::string> full_services() const;
    /// Takes a slot (the caller claimed a case for `registry`); unknown registries are not limited.
    void take(const std::string& registry);
    /// Takes a slot only if one is free; unknown registries are not limited.
    bool try_take(const std::string& registry);
    /// Gives the slot back; true when the registry had none free before (its cases were skipped).
    bool give(const std::string& registry);
    int in_flight(const std::string& registry) const;
    int limit(const std::string& registry) const;

private:
    struct Registry {
        int limit = 1;
        int in_flight = 0;
        std::vector<std::string> services;
    };
    mutable std::mutex mutex_;
    std::map<std::string, Registry> registries_;
};

/// Holds one slot for the length of an exchange (of all a case's steps); `freed` runs when giving
/// it back made a full registry's cases claimable again.
template <typename Freed>
class SlotHold {
public:
    SlotHold(RegistrySlots& slots, std::string registry, Freed freed)
        : slots_(slots), registry_(std::move(registry)), freed_(std::move(freed)) {}
    ~SlotHold() {
        if (!registry_.empty() && slots_.give(registry_)) freed_();
    }
    SlotHold(const SlotHold&) = delete;
    SlotHold& operator=(const SlotHold&) = delete;

private:
    RegistrySlots& slots_;
    std::string registry_;
    Freed freed_;
};

}  // namespace vikno::gateway
