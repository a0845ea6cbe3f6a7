#include "dispatch/registry_slots.h"

namespace vikno::gateway {

void RegistrySlots::add(const std::string& registry, int limit, std::vector<std::string> services) {
    std::lock_guard lock(mutex_);
    registries_[registry] = Registry{limit < 1 ? 1 : limit, 0, std::move(services)};
}

std::vector<std::string> RegistrySlots::full_services() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> full;
    for (const auto& [name, registry] : registries_) {
        if (registry.in_flight >= registry.limit)
            full.insert(full.end(), registry.services.begin(), registry.services.end());
    }
    return full;
}

void RegistrySlots::take(const std::string& registry) {
    std::lock_guard lock(mutex_);
    if (auto it = registries_.find(registry); it != registries_.end()) ++it->second.in_flight;
}

bool RegistrySlots::try_take(const std::string& registry) {
    std::lock_guard lock(mutex_);
    const auto it = registries_.find(registry);
    if (it == registries_.end()) return true;
    if (it->second.in_flight >= it->second.limit) return false;
    ++it->second.in_flight;
    return true;
}

bool RegistrySlots::give(const std::string& registry) {
    std::lock_guard lock(mutex_);
    const auto it = registries_.find(registry);
    if (it == registries_.end() || it->second.in_flight == 0) return false;
    return it->second.in_flight-- >= it->second.limit;
}

int RegistrySlots::in_flight(const std::string& registry) const {
    std::lock_guard lock(mutex_);
    const auto it = registries_.find(registry);
    return it == registries_.end() ? 0 : it->second.in_flight;
}

int RegistrySlots::limit(const std::string& registry) const {
    std::lock_guard lock(mutex_);
    const auto it = registries_.find(registry);
    return it == registries_.end() ? 0 : it->second.limit;
}

}  // namespace vikno::gateway
