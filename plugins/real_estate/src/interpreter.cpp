#include "interpreter.h"

#include <vikno/soap_answer.h>
#include <vikno/xml.h>

namespace vikno::real_estate {
namespace {

// Child elements named in `fields` as a JSON object with the given keys; absent ones are left out.
DocumentWriter fields_json(xml::Document& d, xmlNodePtr node,
                           const std::vector<std::pair<const char*, const char*>>& fields) {
    DocumentWriter json;
    for (const auto& [element, key] : fields) {
        if (auto value = d.text(element, node)) json.text(key, *value);
    }
    return json;
}

DocumentWriter object_json(xml::Document& d, xmlNodePtr object) {
    DocumentWriter json = fields_json(d, object,
                                      {{"drrp:RegistrationNumber", "registration_number"},
                                       {"drrp:CadastralNumber", "cadastral_number"},
                                       {"drrp:Kind", "kind"},
                                       {"drrp:Address", "address"},
                                       {"drrp:Area", "area"}});
    std::vector<DocumentWriter> rights;
    for (xmlNodePtr right : d.nodes("drrp:Right", object)) {
        DocumentWriter r = fields_json(d, right,
                                       {{"drrp:Kind", "kind"},
                                        {"drrp:Share", "share"},
                                        {"drrp:RegistrationNumber", "registration_number"},
                                        {"drrp:RegisteredAt", "registered_at"}});
        if (auto holder = d.nodes("drrp:Holder", right); !holder.empty()) {
            r.object("holder",
                     fields_json(d, holder.front(),
                                 {{"drrp:Name", "name"}, {"drrp:Rnokpp", "rnokpp"}, {"drrp:Edrpou", "edrpou"}}));
        }
        rights.push_back(std::move(r));
    }
    json.objects("rights", rights);
    std::vector<DocumentWriter> encumbrances;
    for (xmlNodePtr encumbrance : d.nodes("drrp:Encumbrance", object)) {
        encumbrances.push_back(fields_json(d, encumbrance,
                                           {{"drrp:Kind", "kind"},
                                            {"drrp:Holder", "holder"},
                                            {"drrp:RegistrationNumber", "registration_number"},
                                            {"drrp:RegisteredAt", "registered_at"}}));
    }
    json.objects("encumbrances", encumbrances);
    return json;
}

}  // namespace

Interpretation interpret_answer(const CaseView& /*c*/, const Exchange& sent, const RegistryAnswer& answer) {
    auto opened = soap::open_answer(answer, sent, "drrp", kNamespace, kResponse);
    if (opened.decided) return *opened.decided;
    xml::Document& d = *opened.document;
    if (auto extract = d.nodes("drrp:Extract", opened.body); !extract.empty()) {
        const auto objects = d.nodes("drrp:Object", extract.front());
        Interpretation result =
            soap::decide(Verdict::Completed, std::to_string(objects.size()) + " object(s) found",
                         "Інформаційну довідку сформовано: об'єктів нерухомості — " + std::to_string(objects.size()),
                         "Information extract issued: " + std::to_string(objects.size()) + " real property object(s)");
        result.outcome.registry_reference = d.text("drrp:ExtractNumber", extract.front()).value_or("");
        std::vector<DocumentWriter> list;
        for (xmlNodePtr object : objects) list.push_back(object_json(d, object));
        result.outcome.document_json = DocumentWriter()
                                           .text("extract_number", result.outcome.registry_reference)
                                           .text("issued_at", d.text("drrp:IssuedAt", extract.front()).value_or(""))
                                           .objects("objects", list)
                                           .json();
        return result;
    }
    if (d.text("drrp:NotFound/drrp:Reason", opened.body)) {
        return soap::decide(Verdict::Rejected, "no registered rights found",
                            "Відомості про зареєстровані речові права за запитом відсутні",
                            "No registered real property rights match the request");
    }
    return soap::decide(Verdict::Retry,
                        "malformed answer: drrp:" + std::string(kResponse) + " holds neither Extract nor NotFound",
                        "Реєстр надіслав пошкоджену відповідь, запит буде повторено",
                        "The registry sent a malformed answer; the request will be retried");
}

}  // namespace vikno::real_estate
