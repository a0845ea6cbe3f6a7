#include "edr_registry.h"

#include "../src/services.h"

#include <vikno/sim/xroad_registry.h>
#include <vikno/xml.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

namespace vikno::business {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

sim::Response xml_answer(const std::string& inner) {
    return {200,
            "application/xml; charset=UTF-8",
            {},
            std::string(R"(<?xml version="1.0" encoding="UTF-8"?><fop:FopRegistrationResponse xmlns:fop=")") +
                kFopNamespace + "\">" + inner + "</fop:FopRegistrationResponse>"};
}

}  // namespace

EdrRegistry::EdrRegistry(const sim::Options& options)
    : XRoadRestRegistry(options, default_settings()),
      schema_([&] {
          auto loaded = xml::Schema::load(sim::option(options, "schema", BUSINESS_DIR "/schema/fop_registration.xsd"));
          if (!loaded) throw std::runtime_error(loaded.error().message);
          return std::move(loaded).value();
      }()),
      fixtures_(sim::load_fixtures(sim::option(options, "fixtures", BUSINESS_DIR "/fixtures/subjects.json"))) {
    const auto subjects = fixtures_->getArray("subjects");
    for (std::size_t i = 0; subjects && i < subjects->size(); ++i) {
        const auto code = subjects->getObject(static_cast<unsigned>(i))->getValue<std::string>("code");
        if (code.size() == 10) entrepreneurs_.insert(code);
    }
}

sim::Response EdrRegistry::answer(const sim::Request& request, const std::string& service,
                                  sim::Annotation& annotation) {
    if (request.method == "GET" && service.rfind("1.0/subjects?", 0) == 0) {
        return search(service.substr(std::string("1.0/subjects?").size()), annotation);
    }
    if (request.method == "GET" && service.rfind("1.0/subjects/", 0) == 0) {
        return details(service.substr(std::string("1.0/subjects/").size()), annotation);
    }
    if (request.method == "POST" && service == "fop-registrations") return register_fop(request.body, annotation);
    return error(404, "unknown_operation", request.method + " " + service + " is not an operation of the register",
                 annotation, "invalid");
}

sim::Response EdrRegistry::search(const std::string& query, sim::Annotation& annotation) {
    const auto equals = query.find('=');
    const std::string key = query.substr(0, equals);
    std::string value;
    Poco::URI::decode(equals == std::string::npos ? "" : query.substr(equals + 1), value);
    if ((key != "code" && key != "passport") || value.empty()) {
        return error(400, "bad_query", "search with ?code=EDRPOU|RNOKPP or ?passport=", annotation, "invalid");
    }
    Array matches;
    const auto subjects = fixtures_->getArray("subjects");
    for (std::size_t i = 0; key == "code" && subjects && i < subjects->size(); ++i) {
        const auto subject = subjects->getObject(static_cast<unsigned>(i));
        if (subject->getValue<std::string>("code") != value) continue;
        Object match(Poco::JSON_PRESERVE_KEY_ORDER);
        for (const char* field : {"id", "code", "name", "state", "state_text"}) match.set(field, subject->get(field));
        match.set("url", prefix() + "1.0/subjects/" + subject->get("id").toString());
        matches.add(match);
    }
    annotation.outcome = matches.size() == 0 ? "not_found" : "found";
    return json(200, matches);
}

sim::Response EdrRegistry::details(const std::string& id, sim::Annotation& annotation) {
    const auto subjects = fixtures_->getArray("subjects");
    for (std::size_t i = 0; subjects && i < subjects->size(); ++i) {
        const auto subject = subjects->getObject(static_cast<unsigned>(i));
        if (subject->get("id").toString() != id) continue;
        annotation.outcome = "found";
        return json(200, subject);
    }
    return error(404, "not_found", "no subject " + id, annotation, "not_found");
}

sim::Response EdrRegistry::register_fop(const std::string& body, sim::Annotation& annotation) {
    auto parsed = xml::parse(body);
    if (!parsed) return error(400, "not_xml", parsed.error().message, annotation, "invalid");
    if (auto valid = schema_.validate(parsed.value()); !valid) {
        return error(400, "schema", "the registration does not match the schema: " + valid.error().message, annotation,
                     "invalid");
    }
    xml::Document& d = parsed.value();
    d.bind("fop", kFopNamespace);
    const std::string rnokpp = d.text("/fop:FopRegistrationRequest/fop:Applicant/fop:Rnokpp").value_or("");
    std::vector<std::string> reasons;
    const auto excluded = fixtures_->getArray("kved_not_for_fop");
    for (xmlNodePtr kved : d.nodes("/fop:FopRegistrationRequest/fop:Activities/fop:Kved")) {
        for (std::size_t i = 0; excluded && i < excluded->size(); ++i) {
            if (excluded->getElement<std::string>(static_cast<unsigned>(i)) == xml::node_text(kved)) {
                reasons.push_back("КВЕД " + xml::node_text(kved) + " не може здійснювати фізична особа — підприємець");
            }
        }
    }
    std::lock_guard lock(mutex_);
    if (entrepreneurs_.contains(rnokpp))
        reasons.insert(reasons.begin(), "Особа вже зареєстрована як фізична особа — підприємець");
    if (!reasons.empty()) {
        annotation.outcome = "refused";
        std::string inner = "<fop:Refused>";
        for (const auto& reason : reasons) inner += "<fop:Reason>" + xml::escape(reason) + "</fop:Reason>";
        return xml_answer(inner + "</fop:Refused>");
    }
    entrepreneurs_.insert(rnokpp);
    annotation.outcome = "registered";
    return xml_answer("<fop:Registered><fop:RecordNumber>2010000" + std::to_string(next_record_++) +
                      "</fop:RecordNumber><fop:RegisteredAt>" + sim::today_utc() +
                      "</fop:RegisteredAt></fop:Registered>");
}

}  // namespace vikno::business
