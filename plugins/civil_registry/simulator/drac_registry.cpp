#include "drac_registry.h"

#include "../src/services.h"

#include <vikno/xml.h>

#include <Poco/DigestEngine.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/SHA2Engine.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace vikno::civil_registry {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::size_t kReplayCacheSize = 200000;

std::string option(const sim::Options& options, const std::string& name, const std::string& fallback) {
    auto it = options.extra.find(name);
    return it == options.extra.end() ? fallback : it->second;
}

Object::Ptr load_records(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read fixtures file " + path + " (give --fixtures FILE)");
    try {
        Poco::JSON::Parser parser;
        return parser.parse(in).extract<Object::Ptr>();
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("fixtures file " + path + " is not valid JSON: " + e.displayText());
    }
}

std::string sha256_hex(const std::string& data) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(data);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

sim::Response soap_response(int status, std::string body) {
    return {status, soap::kContentType, {}, std::move(body)};
}

sim::Response client_fault(const soap::XRoadHeader* header, const std::string& message, sim::Annotation& annotation) {
    annotation.outcome = "invalid";
    return soap_response(500, soap::build_fault(header, "soap:Client", message));
}

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
    : schema_([&] {
          const std::string xroad = option(options, "xroad-schemas", VIKNO_XROAD_SCHEMA_DIR);
          const std::string own = option(options, "schema", CIVIL_REGISTRY_DIR "/schema/civil_registry.xsd");
          auto schema = xml::Schema::load_all({{soap::kEnvelopeNs, xroad + "/soap11-envelope.xsd"}, {kNamespace, own}});
          if (!schema) throw std::runtime_error(schema.error().message);
          return std::move(schema).value();
      }()),
      records_(load_records(option(options, "fixtures", CIVIL_REGISTRY_DIR "/fixtures/records.json"))) {
    const Settings defaults;
    identity_.instance = option(options, "instance", defaults.instance);
    identity_.member_class = option(options, "member-class", defaults.member_class);
    identity_.member_code = option(options, "member-code", defaults.member_code);
    identity_.subsystem = option(options, "subsystem", defaults.subsystem);
}

sim::Response DracRegistry::server_error(const sim::Request& /*request*/) {
    return soap_response(500, soap::build_fault(nullptr, "soap:Server", "Registry temporarily unavailable"));
}

std::string DracRegistry::message_id(const sim::Request& request) {
    auto parsed = xml::parse(request.body);
    if (!parsed) return {};
    auto header = soap::read_header(parsed.value());
    return header ? header.value().id : std::string();
}

sim::Response DracRegistry::handle(const sim::Request& request, sim::Annotation& annotation) {
    if (request.method != "POST") {
        return client_fault(nullptr, "only POST is accepted", annotation);
    }
    auto parsed = xml::parse(request.body);
    if (!parsed) return client_fault(nullptr, parsed.error().message, annotation);
    xml::Document& envelope = parsed.value();
    if (auto valid = schema_.validate(envelope); !valid) {
        return client_fault(nullptr, "the request does not match the schema: " + valid.error().message, annotation);
    }
    auto header = soap::read_header(envelope);
    if (!header) return client_fault(nullptr, header.error().message, annotation);
    annotation.message_id = header.value().id;

    auto body = soap::body_element(envelope);
    if (!body) return client_fault(&header.value(), body.error().message, annotation);

    // Deduplicate by X-Road message id, as a registry does: the same message gets the same answer.
    // Compared on the body's content: a retry is signed afresh (ECDSA signatures differ every time).
    const std::string body_hash = sha256_hex(xml::serialize(body.value()));
    {
        std::lock_guard lock(mutex_);
        if (auto it = seen_.find(annotation.message_id); it != seen_.end()) {
            if (it->second.body_hash != body_hash) {
                return client_fault(&header.value(), "message id " + annotation.message_id +
                                                         " was already used for another request",
                                    annotation);
            }
            annotation.replay = true;
            annotation.outcome = "replay";
            return it->second.response;
        }
    }
    sim::Response response = answer(envelope, header.value(), body.value(), annotation);
    if (response.status == 200) {
        std::lock_guard lock(mutex_);
        seen_.emplace(annotation.message_id, Cached{body_hash, response});
        seen_order_.push_back(annotation.message_id);
        if (seen_order_.size() > kReplayCacheSize) {
            seen_.erase(seen_order_.front());
            seen_order_.pop_front();
        }
    }
    return response;
}

sim::Response DracRegistry::answer(xml::Document& envelope, const soap::XRoadHeader& header, xmlNodePtr body,
                                   sim::Annotation& annotation) {
    const auto& service = header.service;
    if (service.instance != identity_.instance || service.member_class != identity_.member_class ||
        service.member_code != identity_.member_code || service.subsystem != identity_.subsystem) {
        return client_fault(&header, "this is " + identity_.instance + "/" + identity_.member_class + "/" +
                                         identity_.member_code + "/" + identity_.subsystem +
                                         "; the request is addressed to " + service.instance + "/" +
                                         service.member_class + "/" + service.member_code + "/" + service.subsystem,
                            annotation);
    }
    if (xml::namespace_uri(body) != kNamespace) {
        return client_fault(&header, "the body element is not in namespace " + std::string(kNamespace), annotation);
    }
    const Service* requested = find_service_by_request(xml::local_name(body));
    if (requested == nullptr) {
        return client_fault(&header, "unknown operation " + xml::local_name(body), annotation);
    }
    if (requested->xroad_code != service.service_code) {
        return client_fault(&header, "xrd:service names " + service.service_code + " but the body is " +
                                         requested->request,
                            annotation);
    }
    envelope.bind("drac", kNamespace);
    const Object::Ptr record = find_record(envelope, body, requested->record, records_);
    annotation.outcome = record ? "found" : "not_found";
    const std::string extract_number = "ДРАЦС-" + sha256_hex(header.id).substr(0, 12);
    return soap_response(200, soap::build_envelope(header, record_xml(*requested, record, extract_number)));
}

}  // namespace vikno::civil_registry
