#pragma once
// A plugin's table of services: look a service up by any of its fields, and describe them all to
// the gateway. `Service` is the plugin's own struct with at least `code`, `title_uk`, `title_en`
// and `required_fields`.

#include <vikno/plugin.h>

#include <string>
#include <vector>

namespace vikno {

template <typename Service>
const Service* find_by(const std::vector<Service>& table, std::string Service::*field, const std::string& value) {
    for (const auto& service : table) {
        if (service.*field == value) return &service;
    }
    return nullptr;
}

template <typename Service>
std::vector<ServiceDescriptor> describe_services(const std::vector<Service>& table) {
    std::vector<ServiceDescriptor> out;
    for (const auto& service : table) {
        out.push_back({service.code, service.title_uk, service.title_en, service.required_fields});
    }
    return out;
}

}  // namespace vikno
