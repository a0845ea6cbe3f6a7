#include "translator.h"

#include "order_id.h"

#include <vikno/case_json.h>
#include <vikno/xroad_rest.h>

#include <Poco/JSON/Object.h>

namespace vikno::igov {
namespace {

bool digits(const std::string& text) {
    return !text.empty() && text.size() <= 9 && text.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

FieldErrors validate_case(const CaseView& c) {
    const Service* service = find_service(c.service);
    FieldErrors errors;
    if (service->operation == Operation::CreateOrder) {
        if (c.applicant.rnokpp.empty())
            errors.push_back({"applicant.rnokpp", "is required: the portal files orders by RNOKPP"});
        if (!digits(c.subject_text("portal_service_id").value_or(""))) {
            errors.push_back({"subject.portal_service_id", "is required: the portal's service number (digits)"});
        }
        if (c.subject_text("description").value_or("").size() > 500) {
            errors.push_back({"subject.description", "must not be longer than 500 bytes"});
        }
    } else {
        if (!parse_order_id(c.subject_text("order_id").value_or(""))) {
            errors.push_back({"subject.order_id",
                              "must be an iGov order id N-NNNNNNN whose last digit is its Luhn "
                              "check digit"});
        }
        if (!is_status(c.subject_text("status").value_or(""))) {
            errors.push_back({"subject.status",
                              "must be one of created, opened, in_progress, documents_requested, "
                              "closed, closed-rejected"});
        }
    }
    return errors;
}

Result<Exchange> translate_case(const CaseView& c, const ExchangeContext& context, const Settings& settings) {
    const Service* service = find_service(c.service);  // XRoadPlugin checked: ours, and the case valid
    Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    if (service->operation == Operation::CreateOrder) {
        body.set("nID_Service", std::stoi(c.subject_text("portal_service_id").value_or("0")));
        body.set("sDescription", c.subject_text("description").value_or(""));
        Poco::JSON::Object::Ptr applicant = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
        applicant->set("sINN", c.applicant.rnokpp);
        applicant->set("sLastName", c.applicant.last_name);
        applicant->set("sFirstName", c.applicant.first_name);
        applicant->set("sMiddleName", c.applicant.patronymic);
        body.set("applicant", applicant);
        body.set("sID_Office", c.office.id);
        body.set("sID_Case", c.id);
        return xroad_rest::json_exchange("POST", xroad_rest::path(settings, "orders"), to_json_text(body), context);
    }
    body.set("sStatus", c.subject_text("status").value_or(""));
    body.set("sComment", c.subject_text("comment").value_or(""));
    const std::string order = c.subject_text("order_id").value_or("");
    return xroad_rest::json_exchange("PUT", xroad_rest::path(settings, "orders/" + order + "/status"),
                                     to_json_text(body), context);
}

}  // namespace vikno::igov
