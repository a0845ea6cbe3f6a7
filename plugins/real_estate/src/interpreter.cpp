#include "interpreter.h"

#include <vikno/soap_answer.h>
#include <vikno/xml.h>

#include <Poco/JSON/Array.h>

namespace vikno::real_estate {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// Child elements named in `fields` as a JSON object with the given keys; absent ones are left out.
Object::Ptr fields_json(xml::Document& d, xmlNodePtr node,
                        const std::vector<std::pair<const char*, const char*>>& fields) {
    Object::Ptr json = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [element, key] : fields) {
        if (auto value = d.text(element, node)) json->set(key, *value);
    }
    return json;
}

Object::Ptr object_json(xml::Document& d, xmlNodePtr object) {
    Object::Ptr json = fields_json(d, object,
                                   {{"drrp:RegistrationNumber", "registration_number"},
                                    {"drrp:CadastralNumber", "cadastral_number"},
                                    {"drrp:Kind", "kind"},
                                    {"drrp:Address", "address"},
                                    {"drrp:Area", "area"}});
    Array::Ptr rights = new Array;
    for (xmlNodePtr right : d.nodes("drrp:Right", object)) {
        Object::Ptr r = fields_json(d, right,
                                    {{"drrp:Kind", "kind"},
                                     {"drrp:Share", "share"},
                                     {"drrp:RegistrationNumber", "registration_number"},
                                     {"drrp:RegisteredAt", "registered_at"}});
        if (auto holder = d.nodes("drrp:Holder", right); !holder.empty()) {
            r->set("holder",
                   fields_json(d, holder.front(),
                               {{"drrp:Name", "name"}, {"drrp:Rnokpp", "rnokpp"}, {"drrp:Edrpou", "edrpou"}}));
        }
        rights->add(r);
    }
    json->set("rights", rights);
    Array::Ptr encumbrances = new Array;
    for (xmlNodePtr encumbrance : d.nodes("drrp:Encumbrance", object)) {
        encumbrances->add(fields_json(d, encumbrance,
                                      {{"drrp:Kind", "kind"},
                                       {"drrp:Holder", "holder"},
                                       {"drrp:RegistrationNumber", "registration_number"},
                                       {"drrp:RegisteredAt", "registered_at"}}));
    }
    json->set("encumbrances", encumbrances);
    return json;
}

}  // namespace

Interpretation interpret_answer(const Case& /*c*/, const Exchange& sent, const RegistryAnswer& answer) {
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
        Object::Ptr document = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        document->set("extract_number", result.outcome.registry_reference);
        document->set("issued_at", d.text("drrp:IssuedAt", extract.front()).value_or(""));
        Array::Ptr list = new Array;
        for (xmlNodePtr object : objects) list->add(object_json(d, object));
        document->set("objects", list);
        result.outcome.document = document;
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
