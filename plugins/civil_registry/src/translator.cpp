#include "translator.h"

#include <vikno/identifiers.h>
#include <vikno/soap.h>
#include <vikno/xml.h>
#include <vikno/xroad_service.h>

namespace vikno::civil_registry {
namespace {

// Checks a person query (last_name, first_name, optional patronymic, birth_date) under `prefix`.
void check_person(const CaseView& c, const std::string& prefix, FieldErrors& errors) {
    for (const char* field : {"last_name", "first_name", "birth_date"}) {
        const auto value = c.subject_text(prefix + "." + field);
        if (!value || value->empty()) {
            errors.push_back({"subject." + prefix + "." + field, "is required"});
        }
    }
    const auto birth_date = c.subject_text(prefix + ".birth_date");
    if (birth_date && !birth_date->empty() && !identifiers::is_valid_iso_date(*birth_date)) {
        errors.push_back({"subject." + prefix + ".birth_date", "must be a date written YYYY-MM-DD"});
    }
}

void check_birth(const CaseView& c, FieldErrors& errors) {
    const bool by_child = c.subject_has_object("child");
    const bool by_certificate = c.subject_has_object("certificate");
    if (by_child == by_certificate) {
        errors.push_back({"subject", by_child ? "give either subject.child or subject.certificate, not both"
                                              : "subject.child (name and birth date) or subject.certificate "
                                                "(series and number) is required"});
        return;
    }
    if (by_child) {
        check_person(c, "child", errors);
        return;
    }
    if (!identifiers::is_valid_civil_certificate_series(c.subject_text("certificate.series").value_or(""))) {
        errors.push_back({"subject.certificate.series",
                          "must be a Roman numeral, a hyphen and two Cyrillic "
                          "capitals, e.g. I-АМ"});
    }
    if (!identifiers::is_valid_civil_certificate_number(c.subject_text("certificate.number").value_or(""))) {
        errors.push_back({"subject.certificate.number", "must be six digits"});
    }
}

void write_person_query(xml::Writer& w, const CaseView& c, const std::string& element, const std::string& prefix) {
    w.open("drac:" + element);
    w.leaf("drac:LastName", c.subject_text(prefix + ".last_name").value_or(""));
    w.leaf("drac:FirstName", c.subject_text(prefix + ".first_name").value_or(""));
    w.leaf_if("drac:Patronymic", c.subject_text(prefix + ".patronymic").value_or(""));
    w.leaf("drac:BirthDate", c.subject_text(prefix + ".birth_date").value_or(""));
    w.close();
}

std::string request_body(const Service& service, const CaseView& c) {
    xml::Writer w;
    w.open("drac:" + service.request, {{"xmlns:drac", kNamespace}});
    switch (service.record) {
        case Record::Birth:
            if (c.subject_has_object("child")) {
                write_person_query(w, c, "Child", "child");
            } else {
                w.open("drac:Certificate")
                    .leaf("drac:Series", c.subject_text("certificate.series").value_or(""))
                    .leaf("drac:Number", c.subject_text("certificate.number").value_or(""))
                    .close();
            }
            break;
        case Record::Marriage:
            w.leaf("drac:PersonRnokpp", c.subject_text("person_rnokpp").value_or(""));
            break;
        case Record::Death:
            write_person_query(w, c, "Deceased", "deceased");
            break;
    }
    w.close();
    return w.str();
}

}  // namespace

FieldErrors validate_case(const CaseView& c) {
    FieldErrors errors;
    const Service* service = find_service(c.service);
    switch (service->record) {
        case Record::Birth:
            check_birth(c, errors);
            break;
        case Record::Marriage:
            if (!identifiers::is_valid_rnokpp(c.subject_text("person_rnokpp").value_or(""))) {
                errors.push_back({"subject.person_rnokpp", "is required and must be a valid RNOKPP"});
            }
            break;
        case Record::Death:
            check_person(c, "deceased", errors);
            break;
    }
    return errors;
}

Result<Exchange> translate_case(const CaseView& c, const ExchangeContext& context, const Settings& settings) {
    const Service* service = find_service(c.service);  // XRoadPlugin checked: ours, and the case valid
    return soap::soap_request(settings, context, service->xroad_code, request_body(*service, c));
}

}  // namespace vikno::civil_registry
