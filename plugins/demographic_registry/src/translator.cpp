#include "registry.h"

#include <vikno/identifiers.h>
#include <vikno/xml.h>

namespace vikno::demographic_registry {
namespace {

std::string field(const CaseView& c, const std::string& path) { return c.subject_text(path).value_or(""); }

bool act_number(const std::string& text) {
    return !text.empty() && text.size() <= 8 && text.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

std::string request_body(const SoapService& service, const CaseView& c) {
    xml::Writer w;
    w.open("eddr:" + service.request, {{"xmlns:eddr", kNamespace}});
    w.open("eddr:BirthAct")
        .leaf("eddr:ActNumber", field(c, "birth_act.number"))
        .leaf("eddr:ActDate", field(c, "birth_act.date"))
        .leaf("eddr:RegistryOffice", field(c, "birth_act.registry_office"))
        .close();
    w.open("eddr:Child")
        .leaf("eddr:LastName", field(c, "child.last_name"))
        .leaf("eddr:FirstName", field(c, "child.first_name"))
        .leaf_if("eddr:Patronymic", field(c, "child.patronymic"))
        .leaf("eddr:BirthDate", field(c, "child.birth_date"))
        .leaf("eddr:Sex", field(c, "child.sex"))
        .leaf_if("eddr:BirthPlace", field(c, "child.birth_place"))
        .close();
    w.leaf_if("eddr:MotherRnokpp", field(c, "mother_rnokpp"));
    w.close();
    return w.str();
}

FieldErrors validate_case(const CaseView& c) {
    FieldErrors errors;
    if (!act_number(field(c, "birth_act.number"))) {
        errors.push_back({"subject.birth_act.number", "is required: the birth record's act number (up to 8 digits)"});
    }
    for (const char* date : {"birth_act.date", "child.birth_date"}) {
        if (!identifiers::is_valid_iso_date(field(c, date))) {
            errors.push_back({std::string("subject.") + date, "is required, written YYYY-MM-DD"});
        }
    }
    for (const char* name : {"birth_act.registry_office", "child.last_name", "child.first_name"}) {
        if (field(c, name).empty()) errors.push_back({std::string("subject.") + name, "is required"});
    }
    if (const std::string sex = field(c, "child.sex"); sex != "F" && sex != "M") {
        errors.push_back({"subject.child.sex", "is required: F or M"});
    }
    if (const std::string mother = field(c, "mother_rnokpp");
        !mother.empty() && !identifiers::is_valid_rnokpp(mother)) {
        errors.push_back({"subject.mother_rnokpp", "must be a valid RNOKPP"});
    }
    return errors;
}

}  // namespace vikno::demographic_registry
