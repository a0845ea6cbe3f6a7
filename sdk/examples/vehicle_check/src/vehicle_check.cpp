#include "vehicle_check.h"

#include <vikno/identifiers.h>
#include <vikno/json_answer.h>
#include <vikno/service_table.h>
#include <vikno/soap_answer.h>
#include <vikno/xroad_rest.h>

#include <Poco/JSON/Object.h>

#include <algorithm>

namespace vehicle_check {

using namespace vikno;
using Poco::JSON::Object;

namespace {

const rest::RegistryName kRegister{"Реєстр транспортних засобів", "The vehicle register"};

// The Cyrillic letters plates are issued with (those that look like Latin ones), as UTF-8.
bool plate_letter(const std::string& text, std::size_t at) {
    static const std::vector<std::string> kLetters{"А", "В", "Е", "І", "К", "М", "Н", "О", "Р", "С", "Т", "Х"};
    return at + 2 <= text.size() && std::find(kLetters.begin(), kLetters.end(), text.substr(at, 2)) != kLetters.end();
}

}  // namespace

const std::vector<Service>& services() {
    static const std::vector<Service> kServices{
        {"mvs.vehicle-check",
         "1.0/vehicle-checks",
         "Перевірка реєстрації транспортного засобу за власником",
         "Check that a vehicle is registered to its owner",
         {"applicant.rnokpp", "subject.plate"}},
    };
    return kServices;
}

const Service* find_service(const std::string& code) { return find_by(services(), &Service::code, code); }

soap::ServiceSettings default_settings() {
    soap::ServiceSettings settings;
    settings.member_code = "40109173";
    settings.subsystem = "VEHICLES";
    return settings;
}

bool is_plate(const std::string& text) {
    if (text.size() != 12 || !plate_letter(text, 0) || !plate_letter(text, 2) || !plate_letter(text, 8) ||
        !plate_letter(text, 10)) {
        return false;
    }
    return std::all_of(text.begin() + 4, text.begin() + 8, [](char ch) { return ch >= '0' && ch <= '9'; });
}

FieldErrors validate_case(const CaseView& c) {
    FieldErrors errors;
    if (!identifiers::is_valid_rnokpp(c.applicant.rnokpp)) {
        errors.push_back({"applicant.rnokpp", "is required: the owner's RNOKPP (10 digits, valid check digit)"});
    }
    if (!is_plate(c.subject_text("plate").value_or(""))) {
        errors.push_back({"subject.plate", "is required: the number plate, e.g. АА1234ВВ (Cyrillic letters)"});
    }
    return errors;
}

Result<Exchange> translate_case(const CaseView& c, const ExchangeContext& context,
                                const soap::ServiceSettings& settings) {
    const Service* service = find_service(c.service);  // XRoadPlugin checked: ours, and the case valid
    const std::string body = DocumentWriter()
                                 .text("plate", c.subject_text("plate").value_or(""))
                                 .text("ownerRnokpp", c.applicant.rnokpp)
                                 .json();
    return xroad_rest::json_exchange("POST", xroad_rest::path(settings, service->path), body, context);
}

Interpretation interpret_answer(const CaseView& /*c*/, const Exchange& /*sent*/, const RegistryAnswer& answer) {
    const auto opened = rest::open_json_answer(answer, kRegister);
    if (opened.decided) return *opened.decided;
    const Object::Ptr& json = opened.json;
    if (answer.status == 404) {
        // The register does not say whether the plate or the owner did not match: nor do we.
        return soap::decide(Verdict::Rejected, "no such vehicle of this owner",
                            "У реєстрі немає такого транспортного засобу цього власника",
                            "The register has no such vehicle of this owner");
    }
    if (answer.status != 200) {
        const auto error = rest::first_error(json);
        return soap::decide(Verdict::Failed, "HTTP " + std::to_string(answer.status) + " " + error.code,
                            "Реєстр транспортних засобів відхилив запит: " + error.message,
                            "The vehicle register refused the request: " + error.code);
    }
    const auto text = [&](const char* key) {
        const auto value = json->get(key);
        return value.isString() ? value.toString() : std::string();
    };
    const std::string status = text("status");
    static const std::vector<std::string> kStatuses{"registered", "wanted", "deregistered"};
    if (std::find(kStatuses.begin(), kStatuses.end(), status) == kStatuses.end()) {
        return rest::malformed(kRegister, "status is not registered, wanted or deregistered");
    }
    Interpretation result = soap::decide(Verdict::Completed, "vehicle " + status,
                                         status == "registered" ? "Транспортний засіб зареєстровано за власником"
                                         : status == "wanted" ? "Транспортний засіб перебуває в розшуку"
                                                              : "Транспортний засіб знято з обліку",
                                         "The vehicle is " + status);
    result.outcome.document_json = DocumentWriter()
                                       .text("status", status)
                                       .text("model", text("model"))
                                       .text("registered_at", text("registeredAt"))
                                       .json();
    return result;
}

}  // namespace vehicle_check
