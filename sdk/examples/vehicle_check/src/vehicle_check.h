#pragma once
// The vehicle register's check (МВС): is this vehicle registered to this person, and is it wanted?
// X-Road REST with JSON bodies, signed with HTTP message signatures (RFC 9421) both ways.

#include <vikno/plugin.h>
#include <vikno/xroad_service.h>

#include <string>
#include <vector>

namespace vehicle_check {

inline constexpr const char* kPluginName = "vehicle_check";
inline constexpr const char* kPluginVersion = "1.0.0";

struct Service {
    std::string code;  ///< Vikno service code
    std::string path;  ///< after the X-Road prefix, e.g. `1.0/vehicle-checks`
    std::string title_uk;
    std::string title_en;
    std::vector<std::string> required_fields;
};

const std::vector<Service>& services();
const Service* find_service(const std::string& code);

/// The register's X-Road address: the Main Service Centre of the Ministry of Internal Affairs.
vikno::soap::ServiceSettings default_settings();

/// A Ukrainian number plate: two letters, four digits, two letters (Cyrillic, as issued).
bool is_plate(const std::string& text);

vikno::FieldErrors validate_case(const vikno::CaseView& c);
vikno::Result<vikno::Exchange> translate_case(const vikno::CaseView& c, const vikno::ExchangeContext& context,
                                              const vikno::soap::ServiceSettings& settings);
vikno::Interpretation interpret_answer(const vikno::CaseView& c, const vikno::Exchange& sent,
                                       const vikno::RegistryAnswer& answer);

}  // namespace vehicle_check
