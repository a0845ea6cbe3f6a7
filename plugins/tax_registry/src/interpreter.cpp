#include "interpreter.h"

#include <vikno/identifiers.h>
#include <vikno/json_answer.h>
#include <vikno/soap_answer.h>

#include <Poco/JSON/Object.h>

namespace vikno::tax_registry {
namespace {

using Poco::JSON::Object;

const rest::RegistryName kRegister{"Реєстр платників податків", "The taxpayer register"};

}  // namespace

Interpretation interpret_answer(const CaseView& c, const Exchange& /*sent*/, const RegistryAnswer& answer) {
    const Service* service = find_service(c.service);
    const auto opened = rest::open_json_answer(answer, kRegister);
    if (opened.decided) return *opened.decided;
    const Object::Ptr& json = opened.json;
    if (answer.status == 422 || answer.status == 409) {
        const auto [code, message] = rest::first_error(json);
        return soap::decide(Verdict::Rejected, "refused: " + code, "ДПС відмовила: " + message,
                            "The tax service refused: " + code);
    }
    if (answer.status != 200 && answer.status != 201) {
        const auto [code, message] = rest::first_error(json);
        return soap::decide(Verdict::Failed, "HTTP " + std::to_string(answer.status) + " " + code,
                            "Реєстр платників податків відхилив запит: " + message,
                            "The taxpayer register refused the request: " + message);
    }
    const std::string rnokpp = json->optValue<std::string>("rnokpp", "");
    if (!identifiers::is_valid_rnokpp(rnokpp))
        return rest::malformed(kRegister, "rnokpp missing or not a valid RNOKPP");
    DocumentWriter document;
    document.text("rnokpp", rnokpp)
        .text("registered_at", json->optValue<std::string>("registeredAt", ""))
        .boolean("already_registered", json->optValue<bool>("alreadyRegistered", false));
    Interpretation result;
    if (service->operation == Operation::RegisterNewborn) {
        result = soap::decide(Verdict::Completed, "RNOKPP assigned", "Дитині присвоєно РНОКПП " + rnokpp,
                              "The child was given RNOKPP " + rnokpp);
    } else {
        document.text("tax_office", json->optValue<std::string>("taxOffice", ""))
            .text("tax_system", json->optValue<std::string>("taxSystem", ""));
        result =
            soap::decide(Verdict::Completed, "registered as a taxpayer",
                         "ФОП взято на облік як платника податків: " + json->optValue<std::string>("taxOffice", ""),
                         "The sole trader is registered as a taxpayer");
    }
    result.outcome.registry_reference = rnokpp;
    result.outcome.document_json = document.json();
    return result;
}

}  // namespace vikno::tax_registry
