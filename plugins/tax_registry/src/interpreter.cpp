#include "interpreter.h"

#include <vikno/identifiers.h>
#include <vikno/soap_answer.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace vikno::tax_registry {
namespace {

using Poco::JSON::Object;

Interpretation malformed(const std::string& reason) {
    return soap::decide(Verdict::Retry, "malformed answer: " + reason,
                        "Реєстр платників податків надіслав пошкоджену відповідь, запит буде повторено",
                        "The taxpayer register sent a malformed answer; the request will be retried");
}

// `{"errors":[{"code","message"}]}`: the first one, or empty.
std::pair<std::string, std::string> first_error(const Object::Ptr& json) {
    const auto errors = json ? json->getArray("errors") : nullptr;
    if (!errors || errors->size() == 0 || !errors->getObject(0)) return {};
    const auto error = errors->getObject(0);
    return {error->optValue<std::string>("code", ""), error->optValue<std::string>("message", "")};
}

}  // namespace

Interpretation interpret_answer(const Case& c, const Exchange& /*sent*/, const RegistryAnswer& answer) {
    const Service* service = find_service(c.service);
    if (answer.status >= 500) {
        return soap::decide(Verdict::Retry, "HTTP " + std::to_string(answer.status),
                            "Реєстр платників податків тимчасово недоступний, запит буде повторено",
                            "The taxpayer register is temporarily unavailable; the request will be retried");
    }
    Object::Ptr json;
    try {
        Poco::JSON::Parser parser;
        json = parser.parse(answer.body).extract<Object::Ptr>();
    } catch (const std::exception&) {
        return malformed("not a JSON object");
    }
    if (!json) return malformed("not a JSON object");
    if (answer.status == 422 || answer.status == 409) {
        const auto [code, message] = first_error(json);
        return soap::decide(Verdict::Rejected, "refused: " + code, "ДПС відмовила: " + message,
                            "The tax service refused: " + code);
    }
    if (answer.status != 200 && answer.status != 201) {
        const auto [code, message] = first_error(json);
        return soap::decide(Verdict::Failed, "HTTP " + std::to_string(answer.status) + " " + code,
                            "Реєстр платників податків відхилив запит: " + message,
                            "The taxpayer register refused the request: " + message);
    }
    const std::string rnokpp = json->optValue<std::string>("rnokpp", "");
    if (!identifiers::is_valid_rnokpp(rnokpp)) return malformed("rnokpp missing or not a valid RNOKPP");
    Object::Ptr document = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    document->set("rnokpp", rnokpp);
    document->set("registered_at", json->optValue<std::string>("registeredAt", ""));
    document->set("already_registered", json->optValue<bool>("alreadyRegistered", false));
    Interpretation result;
    if (service->operation == Operation::RegisterNewborn) {
        result = soap::decide(Verdict::Completed, "RNOKPP assigned", "Дитині присвоєно РНОКПП " + rnokpp,
                              "The child was given RNOKPP " + rnokpp);
    } else {
        document->set("tax_office", json->optValue<std::string>("taxOffice", ""));
        document->set("tax_system", json->optValue<std::string>("taxSystem", ""));
        result =
            soap::decide(Verdict::Completed, "registered as a taxpayer",
                         "ФОП взято на облік як платника податків: " + json->optValue<std::string>("taxOffice", ""),
                         "The sole trader is registered as a taxpayer");
    }
    result.outcome.registry_reference = rnokpp;
    result.outcome.document = document;
    return result;
}

}  // namespace vikno::tax_registry
