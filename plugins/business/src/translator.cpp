#include "translator.h"

#include <vikno/identifiers.h>
#include <vikno/xml.h>
#include <vikno/xroad_rest.h>

#include <Poco/URI.h>

namespace vikno::business {
namespace {

// The `subject.kved` list, or nullopt when it is not a list of scalars.
std::optional<std::vector<std::string>> kved_list(const CaseView& c) {
    const auto count = c.subject_count("kved");
    if (!count) return std::nullopt;
    std::vector<std::string> out;
    for (std::size_t i = 0; i < *count; ++i) {
        auto value = c.subject_text("kved." + std::to_string(i));
        if (!value) return std::nullopt;
        out.push_back(std::move(*value));
    }
    return out;
}

void check_search(const CaseView& c, FieldErrors& errors) {
    const auto code = c.subject_text("code");
    const auto passport = c.subject_text("passport");
    if (code.has_value() == passport.has_value()) {
        errors.push_back({"subject",
                          "give subject.code (EDRPOU or RNOKPP) or, for a person without a tax number, "
                          "subject.passport, not both"});
        return;
    }
    if (code && !identifiers::is_valid_edrpou(*code) && !identifiers::is_valid_rnokpp(*code)) {
        errors.push_back(
            {"subject.code", "must be a valid EDRPOU (8 digits) or RNOKPP (10 digits) with its check digit"});
    }
    if (passport && !identifiers::is_valid_passport_number(*passport) &&
        !identifiers::is_valid_id_card_number(*passport)) {
        errors.push_back({"subject.passport",
                          "must be a passport (two Cyrillic capitals and six digits) or an ID card "
                          "number (nine digits)"});
    }
}

void check_registration(const CaseView& c, FieldErrors& errors) {
    if (!identifiers::is_valid_rnokpp(c.applicant.rnokpp)) {
        errors.push_back({"applicant.rnokpp", "is required for registering an entrepreneur and must be valid"});
    }
    if (!identifiers::is_valid_iso_date(c.applicant.birth_date)) {
        errors.push_back({"applicant.birth_date", "is required, written YYYY-MM-DD"});
    }
    if (c.subject_text("address").value_or("").empty()) errors.push_back({"subject.address", "is required"});
    const auto kved = kved_list(c);
    const std::string primary = c.subject_text("primary_kved").value_or("");
    if (!kved || kved->empty() || kved->size() > 50) {
        errors.push_back({"subject.kved", "is required: a list of 1 to 50 KVED codes written NN.NN"});
    } else {
        for (std::size_t i = 0; i < kved->size(); ++i) {
            if (!is_kved((*kved)[i]))
                errors.push_back({"subject.kved[" + std::to_string(i) + "]", "must be written NN.NN"});
        }
        if (std::find(kved->begin(), kved->end(), primary) == kved->end()) {
            errors.push_back({"subject.primary_kved", "must be one of subject.kved"});
        }
    }
}

std::string registration_xml(const CaseView& c) {
    xml::Writer w;
    w.open("fop:FopRegistrationRequest", {{"xmlns:fop", kFopNamespace}});
    w.open("fop:Applicant")
        .leaf("fop:Rnokpp", c.applicant.rnokpp)
        .leaf("fop:LastName", c.applicant.last_name)
        .leaf("fop:FirstName", c.applicant.first_name)
        .leaf_if("fop:Patronymic", c.applicant.patronymic)
        .leaf("fop:BirthDate", c.applicant.birth_date)
        .close();
    w.leaf("fop:Address", c.subject_text("address").value_or(""));
    w.open("fop:Activities");
    const std::string primary = c.subject_text("primary_kved").value_or("");
    w.open("fop:Kved", {{"primary", "true"}}).raw(xml::escape(primary)).close();
    for (const auto& code : kved_list(c).value_or(std::vector<std::string>{})) {
        if (code != primary) w.leaf("fop:Kved", code);
    }
    w.close();
    w.leaf("fop:Office", c.office.id);
    w.close();
    return w.str();
}

}  // namespace

bool is_kved(const std::string& code) {
    return code.size() == 5 && std::isdigit(static_cast<unsigned char>(code[0])) != 0 &&
           std::isdigit(static_cast<unsigned char>(code[1])) != 0 && code[2] == '.' &&
           std::isdigit(static_cast<unsigned char>(code[3])) != 0 &&
           std::isdigit(static_cast<unsigned char>(code[4])) != 0;
}

FieldErrors validate_case(const CaseView& c) {
    const Service* service = find_service(c.service);
    FieldErrors errors;
    if (service->operation == Operation::SubjectExtract) {
        check_search(c, errors);
    } else {
        check_registration(c, errors);
    }
    return errors;
}

Result<Exchange> translate_case(const CaseView& c, const ExchangeContext& context, const Settings& settings) {
    const Service* service = find_service(c.service);  // XRoadPlugin checked: ours, and the case valid
    if (service->operation == Operation::FopRegistration) {
        Exchange exchange = xroad_rest::json_exchange("POST", xroad_rest::path(settings, "fop-registrations"),
                                                      registration_xml(c), context);
        exchange.protocol = Protocol::Xml;
        exchange.content_type = "application/xml; charset=UTF-8";
        return exchange;
    }
    std::string query;
    if (auto code = c.subject_text("code")) {
        query = "code=" + *code;
    } else {
        std::string encoded;
        Poco::URI::encode(c.subject_text("passport").value_or(""), "", encoded);
        query = "passport=" + encoded;
    }
    return xroad_rest::json_exchange("GET", xroad_rest::path(settings, "1.0/subjects?" + query), "", context);
}

}  // namespace vikno::business
