#include "drac_registry.h"

#include "../src/services.h"

#include <vikno/xml.h>

#include <Poco/JSON/Array.h>

namespace vikno::civil_registry {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string text(const Object::Ptr& object, const std::string& key) {
    return object ? object->optValue<std::string>(key, "") : "";
}

// Same person, comparing what the query gives (patronymic only when given).
bool person_matches(xml::Document& d, xmlNodePtr query, const Object::Ptr& person) {
    if (!person) return false;
    if (d.text("drac:LastName", query).value_or("") != text(person, "last_name")) return false;
    if (d.text("drac:FirstName", query).value_or("") != text(person, "first_name")) return false;
    if (d.text("drac:BirthDate", query).value_or("") != text(person, "birth_date")) return false;
    const auto patronymic = d.text("drac:Patronymic", query);
    return !patronymic || *patronymic == text(person, "patronymic");
}

void write_person(xml::Writer& w, const std::string& element, const Object::Ptr& person, bool child) {
    w.open("drac:" + element);
    w.leaf("drac:LastName", text(person, "last_name")).leaf("drac:FirstName", text(person, "first_name"));
    w.leaf_if("drac:Patronymic", text(person, "patronymic")).leaf_if("drac:BirthDate", text(person, "birth_date"));
    w.leaf_if("drac:Rnokpp", text(person, "rnokpp")).leaf_if("drac:Citizenship", text(person, "citizenship"));
    if (child) w.leaf("drac:Sex", text(person, "sex")).leaf("drac:BirthPlace", text(person, "birth_place"));
    w.close();
}

void write_certificate(xml::Writer& w, const Object::Ptr& record) {
    const auto certificate = record->getObject("certificate");
    w.open("drac:Certificate")
        .leaf("drac:Series", text(certificate, "series"))
        .leaf("drac:Number", text(certificate, "number"))
        .close();
}

// Finds the record the request asks for; null when there is none.
Object::Ptr find_record(xml::Document& d, xmlNodePtr body, Record kind, const Object::Ptr& records) {
    const char* list = kind == Record::Birth ? "births" : kind == Record::Marriage ? "marriages" : "deaths";
    const Array::Ptr candidates = records->getArray(list);
    if (!candidates) return nullptr;
    for (std::size_t i = 0; i < candidates->size(); ++i) {
        const Object::Ptr record = candidates->getObject(static_cast<unsigned>(i));
        bool match = false;
        if (kind == Record::Birth) {
            if (auto child = d.nodes("drac:Child", body); !child.empty()) {
                match = person_matches(d, child.front(), record->getObject("child"));
            } else {
                const auto certificate = record->getObject("certificate");
                match = d.text("drac:Certificate/drac:Series", body) == text(certificate, "series") &&
                        d.text("drac:Certificate/drac:Number", body) == text(certificate, "number");
            }
        } else if (kind == Record::Marriage) {
            const std::string rnokpp = d.text("drac:PersonRnokpp", body).value_or("");
            match = text(record->getObject("husband"), "rnokpp") == rnokpp ||
                    text(record->getObject("wife"), "rnokpp") == rnokpp;
        } else {
            match = person_matches(d, d.nodes("drac:Deceased", body).front(), record->getObject("deceased"));
        }
        if (match) return record;
    }
    return nullptr;
}

std::string record_xml(const Service& service, const Object::Ptr& record, const std::string& extract_number) {
    xml::Writer w;
    w.open("drac:" + service.response, {{"xmlns:drac", kNamespace}});
    if (!record) {
        w.open("drac:NotFound").leaf("drac:Reason", "Актовий запис за вказаними даними не знайдено").close();
        w.close();
        return w.str();
    }
    w.open("drac:Record");
    w.leaf("drac:ExtractNumber", extract_number);
    w.leaf("drac:ActNumber", std::to_string(record->optValue<int>("act_number", 0)));
    w.leaf("drac:ActDate", text(record, "act_date")).leaf("drac:RegistryOffice", text(record, "registry_office"));
    switch (service.record) {
        case Record::Birth:
            write_person(w, "Child", record->getObject("child"), true);
            write_person(w, "Mother", record->getObject("mother"), false);
            if (record->getObject("father")) write_person(w, "Father", record->getObject("father"), false);
            write_certificate(w, record);
            break;
        case Record::Marriage:
            write_person(w, "Husband", record->getObject("husband"), false);
            write_person(w, "Wife", record->getObject("wife"), false);
            write_certificate(w, record);
            w.leaf("drac:Dissolved", record->optValue<bool>("dissolved", false) ? "true" : "false");
            break;
        case Record::Death:
            write_person(w, "Deceased", record->getObject("deceased"), false);
            w.leaf("drac:DeathDate", text(record, "death_date")).leaf("drac:DeathPlace", text(record, "death_place"));
            write_certificate(w, record);
            break;
    }
    w.close().close();
    return w.str();
}

}  // namespace

DracRegistry::DracRegistry(const sim::Options& options)
    : XRoadSoapRegistry(options, kNamespace, CIVIL_REGISTRY_DIR "/schema/civil_registry.xsd", VIKNO_XROAD_SCHEMA_DIR,
                        default_settings()),
      records_(sim::load_fixtures(sim::option(options, "fixtures", CIVIL_REGISTRY_DIR "/fixtures/records.json"))) {}

sim::Response DracRegistry::answer(xml::Document& envelope, const soap::XRoadHeader& header, xmlNodePtr body,
                                   sim::Annotation& annotation) {
    const auto& service = header.service;
    const Service* requested = find_service_by_request(xml::local_name(body));
    if (requested == nullptr) {
        return client_fault(&header, "unknown operation " + xml::local_name(body), annotation);
    }
    if (requested->xroad_code != service.service_code) {
        return client_fault(&header,
                            "xrd:service names " + service.service_code + " but the body is " + requested->request,
                            annotation);
    }
    envelope.bind("drac", kNamespace);
    const Object::Ptr record = find_record(envelope, body, requested->record, records_);
    annotation.outcome = record ? "found" : "not_found";
    const std::string extract_number = "ДРАЦС-" + sim::sha256_hex(header.id).substr(0, 12);
    return ok(header, record_xml(*requested, record, extract_number));
}

}  // namespace vikno::civil_registry
