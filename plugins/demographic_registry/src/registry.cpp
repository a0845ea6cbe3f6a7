#include "registry.h"

namespace vikno::demographic_registry {

const SoapRegistry& registry() {
    static const SoapRegistry kRegistry{
        "demographic_registry",
        "1.0.0",
        "Єдиний державний демографічний реєстр (ЄДДР)",
        "Unified State Demographic Register",
        kNamespace,
        {.member_code = "37508470", .subsystem = "EDDR"},
        {{"eddr.newborn-unzr",
          "AssignNewbornUnzr",
          "AssignNewbornUnzrRequest",
          "AssignNewbornUnzrResponse",
          "Внесення відомостей про новонароджену дитину до ЄДДР та присвоєння унікального номера запису (УНЗР)",
          "Registration of a newborn in the Unified State Demographic Register and its record number (UNZR)",
          {"subject.birth_act.number", "subject.birth_act.date", "subject.birth_act.registry_office",
           "subject.child.last_name", "subject.child.first_name", "subject.child.birth_date", "subject.child.sex"}}}};
    return kRegistry;
}

}  // namespace vikno::demographic_registry
