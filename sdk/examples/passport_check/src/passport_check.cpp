#include "passport_check.h"

#include <vikno/answer_words.h>
#include <vikno/identifiers.h>
#include <vikno/soap.h>
#include <vikno/soap_answer.h>
#include <vikno/xml.h>

#include <algorithm>

namespace passport_check {

using namespace vikno;

const SoapRegistry& registry() {
    static const SoapRegistry kRegistry{
        "passport_check",
        "1.0.0",
        "Державна міграційна служба України: перевірка документів",
        "State Migration Service of Ukraine: document check",
        kNamespace,
        {.member_code = "37508470", .subsystem = "DOCUMENT-CHECK"},
        {{"dms.document-check",
          "CheckDocument",
          "CheckDocumentRequest",
          "CheckDocumentResponse",
          "Перевірка дійсності паспорта громадянина України або ID-картки",
          "Check that a Ukrainian passport or ID card is valid",
          {"applicant.last_name", "applicant.birth_date", "applicant.document.type", "applicant.document.number"}}}};
    return kRegistry;
}

FieldErrors validate_case(const CaseView& c) {
    FieldErrors errors;
    if (c.applicant.last_name.empty()) errors.push_back({"applicant.last_name", "is required"});
    if (!identifiers::is_valid_iso_date(c.applicant.birth_date)) {
        errors.push_back({"applicant.birth_date", "is required, written YYYY-MM-DD"});
    }
    if (!c.applicant.document) {
        errors.push_back({"applicant.document", "is required: the passport or ID card to check"});
    } else if (c.applicant.document->type == "passport") {
        if (!identifiers::is_valid_passport_number(c.applicant.document->number)) {
            errors.push_back({"applicant.document.number", "a passport number is 2 Cyrillic capitals and 6 digits"});
        }
    } else if (c.applicant.document->type == "id_card") {
        if (!identifiers::is_valid_id_card_number(c.applicant.document->number)) {
            errors.push_back({"applicant.document.number", "an ID card number is 9 digits"});
        }
    } else {
        errors.push_back({"applicant.document.type", "expected passport or id_card"});
    }
    return errors;
}

std::string request_body(const SoapService& service, const CaseView& c) {
    xml::Writer w;
    w.open("pc:" + service.request, {{"xmlns:pc", kNamespace}})
        .leaf("pc:DocumentType", c.applicant.document->type)
        .leaf("pc:DocumentNumber", c.applicant.document->number)
        .leaf("pc:LastName", c.applicant.last_name)
        .leaf("pc:BirthDate", c.applicant.birth_date)
        .close();
    return w.str();
}

namespace {

// How the CNAP's messages name the registry when an answer is retried.
const RegistryName kName{"Реєстр документів ДМС", "The migration service's document register"};

const char* status_uk(const std::string& status) {
    if (status == "valid") return "дійсний";
    if (status == "expired") return "строк дії минув";
    if (status == "lost") return "втрачений";
    if (status == "stolen") return "викрадений";
    return "недійсний";
}

}  // namespace

Interpretation interpret_answer(const CaseView& c, const Exchange& sent, const RegistryAnswer& answer) {
    const SoapService* service = registry().find(c.service);
    auto opened = soap::open_answer(answer, sent, "pc", kNamespace, service->response);
    if (opened.decided) return *opened.decided;
    xml::Document& d = *opened.document;
    if (auto found = d.nodes("pc:Document", opened.body); !found.empty()) {
        const std::string status = d.text("pc:Status", found.front()).value_or("");
        static const std::vector<std::string> kStatuses{"valid", "expired", "lost", "stolen", "invalidated"};
        if (std::find(kStatuses.begin(), kStatuses.end(), status) == kStatuses.end()) {
            return malformed(kName, "pc:Status is not a known status");
        }
        const std::string until = d.text("pc:ValidUntil", found.front()).value_or("");
        Interpretation result = soap::decide(Verdict::Completed, "document " + status,
                                             std::string("Документ ") + status_uk(status), "The document is " + status);
        DocumentWriter document;
        document.text("status", status);
        if (!until.empty()) document.text("valid_until", until);
        result.outcome.document_json = document.json();
        return result;
    }
    if (!d.nodes("pc:NotFound", opened.body).empty()) {
        // The registry does not say whether the number or the person did not match: nor do we.
        return soap::decide(Verdict::Rejected, "no such document for this person",
                            "У реєстрі немає такого документа цієї особи",
                            "The register has no such document of this person");
    }
    return malformed(kName, "pc:" + service->response + " holds neither Document nor NotFound");
}

}  // namespace passport_check
