#include "drrp_registry.h"

#include "../src/services.h"

#include <vikno/xml.h>

#include <Poco/JSON/Array.h>

namespace vikno::real_estate {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string text(const Object::Ptr& object, const std::string& key) {
    return object ? object->optValue<std::string>(key, "") : "";
}

bool held_by(const Object::Ptr& object, const std::string& key, const std::string& code) {
    const Array::Ptr rights = object->getArray("rights");
    for (std::size_t i = 0; rights && i < rights->size(); ++i) {
        if (text(rights->getObject(static_cast<unsigned>(i))->getObject("holder"), key) == code) return true;
    }
    return false;
}

void write_object(xml::Writer& w, const Object::Ptr& object) {
    w.open("drrp:Object");
    w.leaf("drrp:RegistrationNumber", text(object, "registration_number"));
    w.leaf_if("drrp:CadastralNumber", text(object, "cadastral_number"));
    w.leaf("drrp:Kind", text(object, "kind")).leaf("drrp:Address", text(object, "address"));
    w.leaf_if("drrp:Area", text(object, "area"));
    const Array::Ptr rights = object->getArray("rights");
    for (std::size_t i = 0; rights && i < rights->size(); ++i) {
        const Object::Ptr right = rights->getObject(static_cast<unsigned>(i));
        const Object::Ptr holder = right->getObject("holder");
        w.open("drrp:Right").leaf("drrp:Kind", text(right, "kind")).leaf_if("drrp:Share", text(right, "share"));
        w.open("drrp:Holder").leaf("drrp:Name", text(holder, "name"));
        w.leaf_if("drrp:Rnokpp", text(holder, "rnokpp")).leaf_if("drrp:Edrpou", text(holder, "edrpou")).close();
        w.leaf("drrp:RegistrationNumber", text(right, "registration_number"));
        w.leaf("drrp:RegisteredAt", text(right, "registered_at")).close();
    }
    const Array::Ptr encumbrances = object->getArray("encumbrances");
    for (std::size_t i = 0; encumbrances && i < encumbrances->size(); ++i) {
        const Object::Ptr e = encumbrances->getObject(static_cast<unsigned>(i));
        w.open("drrp:Encumbrance").leaf("drrp:Kind", text(e, "kind")).leaf("drrp:Holder", text(e, "holder"));
        w.leaf("drrp:RegistrationNumber", text(e, "registration_number"));
        w.leaf("drrp:RegisteredAt", text(e, "registered_at")).close();
    }
    w.close();
}

}  // namespace

DrrpRegistry::DrrpRegistry(const sim::Options& options)
    : XRoadSoapRegistry(options, kNamespace, REAL_ESTATE_DIR "/schema/real_estate.xsd", VIKNO_XROAD_SCHEMA_DIR,
                        default_settings()),
      records_(sim::load_fixtures(sim::option(options, "fixtures", REAL_ESTATE_DIR "/fixtures/records.json"))) {}

sim::Response DrrpRegistry::answer(xml::Document& envelope, const soap::XRoadHeader& header, xmlNodePtr body,
                                   sim::Annotation& annotation) {
    const Service* requested = find_service_by_request(xml::local_name(body));
    if (requested == nullptr) return client_fault(&header, "unknown operation " + xml::local_name(body), annotation);
    if (requested->xroad_code != header.service.service_code) {
        return client_fault(
            &header, "xrd:service names " + header.service.service_code + " but the body is " + requested->request,
            annotation);
    }
    envelope.bind("drrp", kNamespace);
    const std::string cadastral = envelope.text("drrp:CadastralNumber", body).value_or("");
    const std::string rnokpp = envelope.text("drrp:Owner/drrp:Rnokpp", body).value_or("");
    const std::string edrpou = envelope.text("drrp:Owner/drrp:Edrpou", body).value_or("");
    std::vector<Object::Ptr> found;
    const Array::Ptr objects = records_->getArray("objects");
    for (std::size_t i = 0; objects && i < objects->size(); ++i) {
        const Object::Ptr object = objects->getObject(static_cast<unsigned>(i));
        const bool match = requested->query == Query::ByCadastralNumber
                               ? text(object, "cadastral_number") == cadastral
                               : (!rnokpp.empty() && held_by(object, "rnokpp", rnokpp)) ||
                                     (!edrpou.empty() && held_by(object, "edrpou", edrpou));
        if (match) found.push_back(object);
    }
    annotation.outcome = found.empty() ? "not_found" : "found";
    xml::Writer w;
    w.open(std::string("drrp:") + kResponse, {{"xmlns:drrp", kNamespace}});
    if (found.empty()) {
        w.open("drrp:NotFound").leaf("drrp:Reason", "Відомості про зареєстровані речові права відсутні").close();
    } else {
        w.open("drrp:Extract");
        w.leaf("drrp:ExtractNumber", "ДРРП-" + sim::sha256_hex(header.id).substr(0, 12))
            .leaf("drrp:IssuedAt", sim::today_utc());
        for (const auto& object : found) write_object(w, object);
        w.close();
    }
    w.close();
    return ok(header, w.str());
}

}  // namespace vikno::real_estate
