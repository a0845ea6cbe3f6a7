#include "translator.h"

#include <vikno/case_json.h>
#include <vikno/identifiers.h>
#include <vikno/xroad_rest.h>

#include <Poco/JSON/Object.h>

namespace vikno::tax_registry {
namespace {

using Poco::JSON::Object;

std::string field(const CaseView& c, const std::string& path) { return c.subject_text(path).value_or(""); }

bool digits(const std::string& text, std::size_t max) {
    return !text.empty() && text.size() <= max && text.find_first_not_of("0123456789") == std::string::npos;
}

Object::Ptr ordered() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

void check_newborn(const CaseView& c, FieldErrors& errors) {
    for (const char* name : {"child.last_name", "child.first_name"}) {
        if (field(c, name).empty()) errors.push_back({std::string("subject.") + name, "is required"});
    }
    for (const char* date : {"child.birth_date", "birth_act.date"}) {
        if (!identifiers::is_valid_iso_date(field(c, date))) {
            errors.push_back({std::string("subject.") + date, "is required, written YYYY-MM-DD"});
        }
    }
    if (const std::string sex = field(c, "child.sex"); sex != "F" && sex != "M") {
        errors.push_back({"subject.child.sex", "is required: F or M"});
    }
    if (!digits(field(c, "birth_act.number"), 8)) {
        errors.push_back({"subject.birth_act.number", "is required: the birth record's act number (up to 8 digits)"});
    }
    if (const std::string unzr = field(c, "unzr"); !unzr.empty() && !identifiers::is_valid_unzr(unzr)) {
        errors.push_back({"subject.unzr", "must be a UNZR, YYYYMMDD-NNNNN"});
    }
}

void check_entrepreneur(const CaseView& c, FieldErrors& errors) {
    if (!identifiers::is_valid_rnokpp(c.applicant.rnokpp)) {
        errors.push_back({"applicant.rnokpp", "is required: the entrepreneur's valid RNOKPP"});
    }
    if (!digits(field(c, "edr_record_number"), 20)) {
        errors.push_back({"subject.edr_record_number", "is required: the business register's record number (digits)"});
    }
    if (!is_kved(field(c, "kved"))) errors.push_back({"subject.kved", "is required: the main KVED class, NN.NN"});
    if (!is_tax_system(field(c, "tax_system"))) {
        errors.push_back({"subject.tax_system", "is required: general, single-1, single-2 or single-3"});
    }
}

std::string newborn_body(const CaseView& c) {
    Object::Ptr body = ordered();
    body->set("lastName", field(c, "child.last_name"));
    body->set("firstName", field(c, "child.first_name"));
    body->set("middleName", field(c, "child.patronymic"));
    body->set("birthDate", field(c, "child.birth_date"));
    body->set("sex", field(c, "child.sex"));
    if (!field(c, "unzr").empty()) body->set("unzr", field(c, "unzr"));
    Object::Ptr act = ordered();
    act->set("number", field(c, "birth_act.number"));
    act->set("date", field(c, "birth_act.date"));
    body->set("birthAct", act);
    return to_json_text(body);
}

std::string entrepreneur_body(const CaseView& c) {
    Object::Ptr body = ordered();
    body->set("rnokpp", c.applicant.rnokpp);
    body->set("lastName", c.applicant.last_name);
    body->set("firstName", c.applicant.first_name);
    body->set("edrRecordNumber", field(c, "edr_record_number"));
    body->set("kved", field(c, "kved"));
    body->set("taxSystem", field(c, "tax_system"));
    return to_json_text(body);
}

}  // namespace

FieldErrors validate_case(const CaseView& c) {
    const Service* service = find_service(c.service);
    FieldErrors errors;
    if (service->operation == Operation::RegisterNewborn) {
        check_newborn(c, errors);
    } else {
        check_entrepreneur(c, errors);
    }
    return errors;
}

Result<Exchange> translate_case(const CaseView& c, const ExchangeContext& context, const Settings& settings) {
    const Service* service = find_service(c.service);  // XRoadPlugin checked: ours, and the case valid
    const std::string body = service->operation == Operation::RegisterNewborn ? newborn_body(c) : entrepreneur_body(c);
    return xroad_rest::json_exchange("POST", xroad_rest::path(settings, service->path), body, context);
}

}  // namespace vikno::tax_registry
