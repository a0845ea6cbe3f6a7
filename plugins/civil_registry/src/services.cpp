#include "services.h"

#include <vikno/service_table.h>

namespace vikno::civil_registry {

const std::vector<Service>& services() {
    static const std::vector<Service> kServices{
        {"drac.birth-extract",
         "BirthRecordExtract",
         "BirthRecordExtractRequest",
         "BirthRecordExtractResponse",
         Record::Birth,
         "Витяг з Державного реєстру актів цивільного стану щодо актового запису про народження",
         "Extract from the civil status register: birth record",
         {"subject.child.last_name + subject.child.first_name + subject.child.birth_date | "
          "subject.certificate.series + subject.certificate.number"}},
        {"drac.marriage-extract",
         "MarriageRecordExtract",
         "MarriageRecordExtractRequest",
         "MarriageRecordExtractResponse",
         Record::Marriage,
         "Витяг з Державного реєстру актів цивільного стану щодо актового запису про шлюб",
         "Extract from the civil status register: marriage record",
         {"subject.person_rnokpp"}},
        {"drac.death-extract",
         "DeathRecordExtract",
         "DeathRecordExtractRequest",
         "DeathRecordExtractResponse",
         Record::Death,
         "Витяг з Державного реєстру актів цивільного стану щодо актового запису про смерть",
         "Extract from the civil status register: death record",
         {"subject.deceased.last_name", "subject.deceased.first_name", "subject.deceased.birth_date"}},
    };
    return kServices;
}

const Service* find_service(const std::string& code) { return find_by(services(), &Service::code, code); }

const Service* find_service_by_request(const std::string& request_element) {
    return find_by(services(), &Service::request, request_element);
}

Settings default_settings() {
    Settings settings;
    settings.member_code = "00015622";
    settings.subsystem = "DRACS";
    return settings;
}

}  // namespace vikno::civil_registry
