#pragma once
// A plugin's table of services: look a service up by any of its fields, and describe them all to
// the gateway. `Service` is the plugin's own struct with at least `code`, `title_uk`, `title_en`
// and `required_fields`.

#include <vikno/plugin.h>

#include <string>
#include <vector>

namespace vikno {

/// One service of a SOAP registry, as most SOAP plugins' tables hold it; a plugin whose rows need
/// more keeps its own struct with at least code, title_uk, title_en and required_fields.
struct SoapService {
    std::string code;        ///< Vikno service code, e.g. `dms.document-check`
    std::string xroad_code;  ///< X-Road serviceCode
    std::string request;     ///< request body element (local name)
    std::string response;    ///< response body element (local name)
    std::string title_uk;
    std::string title_en;
    std::vector<std::string> required_fields;
};

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
