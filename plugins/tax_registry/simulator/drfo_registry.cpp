#include "drfo_registry.h"

#include "../src/services.h"

#include <vikno/identifiers.h>
#include <vikno/sim/xroad_registry.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <array>
#include <cstdio>

namespace vikno::tax_registry {
namespace {

using Poco::JSON::Object;

std::string text(const Object::Ptr& object, const std::string& key) {
    return object && object->has(key) && object->get(key).isString() ? object->getValue<std::string>(key) : "";
}

bool only(const Object::Ptr& object, const std::set<std::string>& allowed, const std::set<std::string>& required) {
    for (const auto& [key, value] : *object) {
        if (!allowed.contains(key)) return false;
    }
    for (const auto& key : required) {
        if (!object->has(key)) return false;
    }
    return true;
}

bool digits(const std::string& value, std::size_t min, std::size_t max) {
    return value.size() >= min && value.size() <= max && value.find_first_not_of("0123456789") == std::string::npos;
}

// The body against the "newborn" definition of schema/tax_registry.schema.json; empty when it conforms.
std::string newborn_problem(const Object::Ptr& body) {
    if (!only(body, {"lastName", "firstName", "middleName", "birthDate", "sex", "unzr", "birthAct"},
              {"lastName", "firstName", "middleName", "birthDate", "sex", "birthAct"})) {
        return "a newborn needs lastName, firstName, middleName, birthDate, sex, birthAct and may have unzr";
    }
    if (text(body, "lastName").empty() || text(body, "firstName").empty()) return "names must not be empty";
    if (!identifiers::is_valid_iso_date(text(body, "birthDate"))) return "birthDate must be YYYY-MM-DD";
    if (text(body, "sex") != "F" && text(body, "sex") != "M") return "sex must be F or M";
    if (body->has("unzr") && !identifiers::is_valid_unzr(text(body, "unzr"))) return "unzr must be YYYYMMDD-NNNNN";
    const auto act = body->getObject("birthAct");
    if (!act || !only(act, {"number", "date"}, {"number", "date"}) || !digits(text(act, "number"), 1, 8) ||
        !identifiers::is_valid_iso_date(text(act, "date"))) {
        return "birthAct needs number (1-8 digits) and date (YYYY-MM-DD)";
    }
    return {};
}

std::string entrepreneur_problem(const Object::Ptr& body) {
    const std::set<std::string> keys{"rnokpp", "lastName", "firstName", "edrRecordNumber", "kved", "taxSystem"};
    if (!only(body, keys, keys))
        return "an entrepreneur needs exactly " + std::string(
                                                      "rnokpp, lastName, firstName, "
                                                      "edrRecordNumber, kved, taxSystem");
    if (!digits(text(body, "rnokpp"), 10, 10)) return "rnokpp must be 10 digits";
    if (!digits(text(body, "edrRecordNumber"), 1, 20)) return "edrRecordNumber must be 1-20 digits";
    if (!is_kved(text(body, "kved"))) return "kved must be NN.NN";
    if (!is_tax_system(text(body, "taxSystem"))) return "taxSystem must be general, single-1, single-2 or single-3";
    return {};
}

// Day number (5 digits), serial (3 digits), sex digit (odd for M), check digit.
std::string make_rnokpp(long day, int serial, bool male) {
    char head[16];
    std::snprintf(head, sizeof head, "%05ld%03d", day % 100000, serial % 1000);
    std::string value = head;
    value += static_cast<char>('0' + (male ? 1 : 0) + 2 * (serial % 5));
    static constexpr std::array<int, 9> kWeights{-1, 5, 7, 9, 4, 6, 10, 5, 7};
    int sum = 0;
    for (std::size_t i = 0; i < 9; ++i) sum += (value[i] - '0') * kWeights[i];
    value += static_cast<char>('0' + ((sum % 11) + 11) % 11 % 10);
    return value;
}

Object::Ptr registered(const std::string& rnokpp, bool again) {
    Object::Ptr json = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    json->set("rnokpp", rnokpp);
    json->set("registeredAt", sim::today_utc());
    json->set("alreadyRegistered", again);
    return json;
}

}  // namespace

DrfoRegistry::DrfoRegistry(const sim::Options& options) : XRoadRestRegistry(options, default_settings()) {
    const auto fixtures =
        sim::load_fixtures(sim::option(options, "fixtures", TAX_REGISTRY_DIR "/fixtures/taxpayers.json"));
    if (const auto list = fixtures->getArray("taxpayers")) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            const auto person = list->getObject(static_cast<unsigned>(i));
            tax_office_[person->getValue<std::string>("rnokpp")] = person->getValue<std::string>("tax_office");
        }
    }
    if (const auto list = fixtures->getArray("single_tax_refused")) {
        for (std::size_t i = 0; i < list->size(); ++i)
            single_tax_refused_.insert(list->getElement<std::string>(static_cast<unsigned>(i)));
    }
}

sim::Response DrfoRegistry::answer(const sim::Request& request, const std::string& path, sim::Annotation& annotation) {
    Object::Ptr body;
    try {
        Poco::JSON::Parser parser;
        body = parser.parse(request.body).extract<Object::Ptr>();
    } catch (const std::exception&) {
        return error(400, "not_json", "the body is not a JSON object", annotation, "invalid");
    }
    if (request.method == "POST" && path == "1.0/newborns") return register_newborn(body, annotation);
    if (request.method == "POST" && path == "1.0/entrepreneurs") return register_entrepreneur(body, annotation);
    return error(404, "unknown_operation", request.method + " " + path + " is not an operation of the register",
                 annotation, "invalid");
}

sim::Response DrfoRegistry::register_newborn(const Object::Ptr& body, sim::Annotation& annotation) {
    if (const auto problem = newborn_problem(body); !problem.empty()) {
        return error(400, "schema", problem, annotation, "invalid");
    }
    const std::string birth = text(body, "birthDate");
    if (sim::day_number(birth) > sim::day_number(sim::today_utc())) {
        return error(422, "BIRTH_DATE_IN_FUTURE", "Дата народження пізніша за сьогоднішню", annotation, "refused");
    }
    if (const std::string unzr = text(body, "unzr"); !unzr.empty()) {
        std::string date = birth;
        date.erase(7, 1).erase(4, 1);
        if (unzr.substr(0, 8) != date) {
            return error(422, "UNZR_MISMATCH", "УНЗР не відповідає даті народження", annotation, "refused");
        }
    }
    const auto act = body->getObject("birthAct");
    const std::string key = text(act, "number") + "|" + text(act, "date");
    const std::lock_guard lock(mutex_);
    if (const auto found = newborns_.find(key); found != newborns_.end()) {
        annotation.outcome = "already_registered";
        return json(200, registered(found->second, true));
    }
    const long day = sim::day_number(birth);
    const std::string rnokpp = make_rnokpp(day, ++serial_by_day_[day], text(body, "sex") == "M");
    newborns_[key] = rnokpp;
    annotation.outcome = "registered";
    return json(201, registered(rnokpp, false));
}

sim::Response DrfoRegistry::register_entrepreneur(const Object::Ptr& body, sim::Annotation& annotation) {
    if (const auto problem = entrepreneur_problem(body); !problem.empty()) {
        return error(400, "schema", problem, annotation, "invalid");
    }
    const std::string rnokpp = text(body, "rnokpp");
    const auto office = tax_office_.find(rnokpp);
    if (!identifiers::is_valid_rnokpp(rnokpp) || office == tax_office_.end()) {
        return error(422, "TAXPAYER_UNKNOWN", "Особу з таким РНОКПП не знайдено в реєстрі", annotation, "refused");
    }
    const std::string system = text(body, "taxSystem");
    if (system != "general" && single_tax_refused_.contains(rnokpp)) {
        return error(422, "SINGLE_TAX_REFUSED", "Платник має податковий борг: єдиний податок не застосовується",
                     annotation, "refused");
    }
    const std::lock_guard lock(mutex_);
    const bool again = !entrepreneurs_.insert(rnokpp).second;
    annotation.outcome = again ? "already_registered" : "registered";
    auto answer = registered(rnokpp, again);
    answer->set("taxOffice", office->second);
    answer->set("taxSystem", system);
    return json(again ? 200 : 201, answer);
}

}  // namespace vikno::tax_registry
