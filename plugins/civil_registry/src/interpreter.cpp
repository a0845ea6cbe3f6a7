#include "interpreter.h"

#include <vikno/soap.h>
#include <vikno/soap_answer.h>
#include <vikno/xml.h>

namespace vikno::civil_registry {
namespace {

// A drac:Person-like element as JSON, with snake_case keys; absent children are left out.
DocumentWriter person_json(xml::Document& d, xmlNodePtr node) {
    DocumentWriter json;
    const std::vector<std::pair<const char*, const char*>> fields{
        {"drac:LastName", "last_name"},
        {"drac:FirstName", "first_name"},
        {"drac:Patronymic", "patronymic"},
        {"drac:BirthDate", "birth_date"},
        {"drac:Rnokpp", "rnokpp"},
        {"drac:Citizenship", "citizenship"},
        {"drac:Sex", "sex"},
        {"drac:BirthPlace", "birth_place"},
    };
    for (const auto& [element, key] : fields) {
        if (auto value = d.text(element, node)) json.text(key, *value);
    }
    return json;
}

DocumentWriter record_json(xml::Document& d, xmlNodePtr record, const Service& service) {
    DocumentWriter json;
    json.text("act_number", d.text("drac:ActNumber", record).value_or(""));
    json.text("act_date", d.text("drac:ActDate", record).value_or(""));
    json.text("registry_office", d.text("drac:RegistryOffice", record).value_or(""));
    for (xmlNodePtr child : xml::child_elements(record)) {
        const std::string name = xml::local_name(child);
        if (name == "Child" || name == "Mother" || name == "Father" || name == "Husband" || name == "Wife" ||
            name == "Deceased") {
            std::string key = name;
            key[0] = static_cast<char>(key[0] - 'A' + 'a');
            json.object(key, person_json(d, child));
        }
    }
    if (auto node = d.nodes("drac:Certificate", record); !node.empty()) {
        json.object("certificate", DocumentWriter()
                                       .text("series", d.text("drac:Series", node.front()).value_or(""))
                                       .text("number", d.text("drac:Number", node.front()).value_or("")));
    }
    if (service.record == Record::Marriage) json.boolean("dissolved", d.text("drac:Dissolved", record) == "true");
    if (service.record == Record::Death) {
        json.text("death_date", d.text("drac:DeathDate", record).value_or(""));
        json.text("death_place", d.text("drac:DeathPlace", record).value_or(""));
    }
    return json;
}

struct Words {
    const char* found_uk;
    const char* found_en;
    const char* missing_uk;
    const char* missing_en;
};

Words words(Record record) {
    switch (record) {
        case Record::Birth:
            return {"Витяг щодо актового запису про народження сформовано", "Birth record extract issued",
                    "Актовий запис про народження не знайдено", "No birth record found"};
        case Record::Marriage:
            return {"Витяг щодо актового запису про шлюб сформовано", "Marriage record extract issued",
                    "Актовий запис про шлюб не знайдено", "No marriage record found"};
        case Record::Death:
            break;
    }
    return {"Витяг щодо актового запису про смерть сформовано", "Death record extract issued",
            "Актовий запис про смерть не знайдено", "No death record found"};
}

}  // namespace

Interpretation interpret_answer(const CaseView& c, const Exchange& sent, const RegistryAnswer& answer) {
    const Service* service = find_service(c.service);
    auto opened = soap::open_answer(answer, sent, "drac", kNamespace, service->response);
    if (opened.decided) return *opened.decided;
    xml::Document& d = *opened.document;
    xmlNodePtr response = opened.body;
    const Words w = words(service->record);
    if (auto record = d.nodes("drac:Record", response); !record.empty()) {
        Interpretation result = soap::decide(Verdict::Completed, "record found", w.found_uk, w.found_en);
        result.outcome.registry_reference = d.text("drac:ExtractNumber", record.front()).value_or("");
        result.outcome.document_json = record_json(d, record.front(), *service).json();
        return result;
    }
    if (auto reason = d.text("drac:NotFound/drac:Reason", response)) {
        return soap::decide(Verdict::Rejected, "record not found", w.missing_uk, w.missing_en);
    }
    return soap::decide(Verdict::Retry,
                        "malformed answer: drac:" + service->response + " holds neither Record nor NotFound",
                        "Реєстр надіслав пошкоджену відповідь, запит буде повторено",
                        "The registry sent a malformed answer; the request will be retried");
}

}  // namespace vikno::civil_registry
