#include "services.h"

#include <vikno/service_table.h>

namespace vikno::demographic_registry {

const std::vector<Service>& services() {
    static const std::vector<Service> kServices{
        {"eddr.newborn-unzr",
         "AssignNewbornUnzr",
         "AssignNewbornUnzrRequest",
         "AssignNewbornUnzrResponse",
         "Внесення відомостей про новонароджену дитину до ЄДДР та присвоєння унікального номера запису (УНЗР)",
         "Registration of a newborn in the Unified State Demographic Register and its record number (UNZR)",
         {"subject.birth_act.number", "subject.birth_act.date", "subject.birth_act.registry_office",
          "subject.child.last_name", "subject.child.first_name", "subject.child.birth_date", "subject.child.sex"}},
    };
    return kServices;
}

const Service* find_service(const std::string& code) { return find_by(services(), &Service::code, code); }

const Service* find_service_by_request(const std::string& request_element) {
    return find_by(services(), &Service::request, request_element);
}

Settings default_settings() {
    Settings settings;
    settings.member_code = "37508470";
    settings.subsystem = "EDDR";
    return settings;
}

}  // namespace vikno::demographic_registry
