#include "registry.h"

#include <vikno/answer_words.h>
#include <vikno/identifiers.h>
#include <vikno/soap.h>
#include <vikno/soap_answer.h>
#include <vikno/xml.h>

namespace vikno::demographic_registry {

// Its answers' words name no register, as they always did: "the registry".
const RegistryName kRegistryName{"Реєстр", "The registry"};

Interpretation interpret_answer(const CaseView& c, const Exchange& sent, const RegistryAnswer& answer) {
    const SoapService* service = registry().find(c.service);
    auto opened = soap::open_answer(answer, sent, "eddr", kNamespace, service->response);
    if (opened.decided) return *opened.decided;
    xml::Document& d = *opened.document;
    xmlNodePtr response = opened.body;
    if (auto assigned = d.nodes("eddr:Assigned", response); !assigned.empty()) {
        const std::string unzr = d.text("eddr:Unzr", assigned.front()).value_or("");
        if (!identifiers::is_valid_unzr(unzr)) {
            return malformed(kRegistryName, "eddr:Unzr is not a UNZR");
        }
        const bool again = d.text("eddr:AlreadyAssigned", assigned.front()) == "true";
        Interpretation result = soap::decide(Verdict::Completed, again ? "UNZR assigned earlier" : "UNZR assigned",
                                             "Дитину внесено до ЄДДР, УНЗР " + unzr,
                                             "The child is registered in the demographic register, UNZR " + unzr);
        result.outcome.registry_reference = unzr;
        result.outcome.document_json =
            DocumentWriter()
                .text("unzr", unzr)
                .text("record_date", d.text("eddr:RecordDate", assigned.front()).value_or(""))
                .boolean("already_assigned", again)
                .json();
        return result;
    }
    if (auto refused = d.nodes("eddr:Refused", response); !refused.empty()) {
        const std::string code = d.text("eddr:Code", refused.front()).value_or("");
        const std::string reason = d.text("eddr:Reason", refused.front()).value_or("");
        return soap::decide(Verdict::Rejected, "refused: " + code, "ЄДДР відмовив: " + reason,
                            "The demographic register refused: " + code);
    }
    return malformed(kRegistryName, "eddr:" + service->response + " holds neither Assigned nor Refused");
}

}  // namespace vikno::demographic_registry
