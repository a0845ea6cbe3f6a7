#include "translator.h"

#include <vikno/identifiers.h>
#include <vikno/soap.h>
#include <vikno/xml.h>

namespace vikno::real_estate {
namespace {

void check_owner(const CaseView& c, FieldErrors& errors) {
    const auto rnokpp = c.subject_text("owner.rnokpp");
    const auto edrpou = c.subject_text("owner.edrpou");
    if (rnokpp.has_value() == edrpou.has_value()) {
        errors.push_back({"subject.owner", rnokpp ? "give either owner.rnokpp (a person) or owner.edrpou (a legal "
                                                    "entity), not both"
                                                  : "owner.rnokpp (a person) or owner.edrpou (a legal entity) is "
                                                    "required"});
        return;
    }
    if (rnokpp && !identifiers::is_valid_rnokpp(*rnokpp)) {
        errors.push_back({"subject.owner.rnokpp", "must be a valid RNOKPP (10 digits with a correct check digit)"});
    }
    if (edrpou && !identifiers::is_valid_edrpou(*edrpou)) {
        errors.push_back({"subject.owner.edrpou", "must be a valid EDRPOU code (8 digits with a correct check digit)"});
    }
}

std::string request_body(const Service& service, const CaseView& c) {
    xml::Writer w;
    w.open("drrp:" + service.request, {{"xmlns:drrp", kNamespace}});
    if (service.query == Query::ByCadastralNumber) {
        w.leaf("drrp:CadastralNumber", c.subject_text("cadastral_number").value_or(""));
    } else {
        w.open("drrp:Owner");
        if (auto rnokpp = c.subject_text("owner.rnokpp")) {
            w.leaf("drrp:Rnokpp", *rnokpp);
        } else {
            w.leaf("drrp:Edrpou", c.subject_text("owner.edrpou").value_or(""));
        }
        w.close();
    }
    w.close();
    return w.str();
}

}  // namespace

FieldErrors validate_case(const CaseView& c) {
    const Service* service = find_service(c.service);
    FieldErrors errors;
    if (service->query == Query::ByCadastralNumber) {
        if (!identifiers::is_valid_cadastral_number(c.subject_text("cadastral_number").value_or(""))) {
            errors.push_back({"subject.cadastral_number", "is required, written NNNNNNNNNN:NN:NNN:NNNN"});
        }
    } else {
        check_owner(c, errors);
    }
    return errors;
}

Result<Exchange> translate_case(const CaseView& c, const ExchangeContext& context, const Settings& settings) {
    const Service* service = find_service(c.service);  // XRoadPlugin checked: ours, and the case valid
    return soap::soap_request(settings, context, service->xroad_code, request_body(*service, c));
}

}  // namespace vikno::real_estate
