#include "services.h"

#include <vikno/identifiers.h>

namespace vikno::civil_registry {

const std::vector<Service>& services() {
    static const std::vector<Service> kServices{
        {"drac.birth-extract", "BirthRecordExtract", "BirthRecordExtractRequest", "BirthRecordExtractResponse",
         Record::Birth, "Витяг з Державного реєстру актів цивільного стану щодо актового запису про народження",
         "Extract from the civil status register: birth record",
         {"subject.child.last_name + subject.child.first_name + subject.child.birth_date | "
          "subject.certificate.series + subject.certificate.number"}},
        {"drac.marriage-extract", "MarriageRecordExtract", "MarriageRecordExtractRequest",
         "MarriageRecordExtractResponse", Record::Marriage,
         "Витяг з Державного реєстру актів цивільного стану щодо актового запису про шлюб",
         "Extract from the civil status register: marriage record", {"subject.person_rnokpp"}},
        {"drac.death-extract", "DeathRecordExtract", "DeathRecordExtractRequest", "DeathRecordExtractResponse",
         Record::Death, "Витяг з Державного реєстру актів цивільного стану щодо актового запису про смерть",
         "Extract from the civil status register: death record",
         {"subject.deceased.last_name", "subject.deceased.first_name", "subject.deceased.birth_date"}},
    };
    return kServices;
}

const Service* find_service(const std::string& code) {
    for (const auto& service : services()) {
        if (service.code == code) return &service;
    }
    return nullptr;
}

const Service* find_service_by_request(const std::string& request_element) {
    for (const auto& service : services()) {
        if (service.request == request_element) return &service;
    }
    return nullptr;
}

Result<Settings> parse_settings(const PluginSettings& values) {
    Settings settings;
    const std::vector<std::pair<std::string, std::string*>> known{
        {"xroad_instance", &settings.instance},   {"member_class", &settings.member_class},
        {"member_code", &settings.member_code},   {"subsystem", &settings.subsystem},
        {"service_version", &settings.service_version},
    };
    for (const auto& [key, value] : values) {
        bool matched = false;
        for (const auto& [name, target] : known) {
            if (name == key) {
                *target = value;
                matched = true;
            }
        }
        if (!matched) {
            return Error{"unknown_setting", "unknown setting '" + key +
                                                "'; known: xroad_instance, member_class, member_code, subsystem, "
                                                "service_version"};
        }
    }
    if (!identifiers::is_valid_edrpou(settings.member_code)) {
        return Error{"invalid_setting", "member_code '" + settings.member_code +
                                            "' is not a valid EDRPOU code (the registry holder's code)"};
    }
    if (settings.instance.empty() || settings.member_class.empty() || settings.subsystem.empty()) {
        return Error{"invalid_setting", "xroad_instance, member_class and subsystem must not be empty"};
    }
    return settings;
}

}  // namespace vikno::civil_registry
