#include "passport_registry.h"

#include "../src/passport_check.h"

#include <vikno/xml.h>

#include <Poco/JSON/Array.h>

namespace passport_check {

using namespace vikno;

PassportRegistry::PassportRegistry(const sim::Options& options)
    : XRoadSoapRegistry(options, kNamespace, PASSPORT_CHECK_DIR "/schema/passport_check.xsd", VIKNO_XROAD_SCHEMA_DIR,
                        registry().address) {
    const auto fixtures =
        sim::load_fixtures(sim::option(options, "fixtures", PASSPORT_CHECK_DIR "/fixtures/documents.json"));
    if (const auto list = fixtures->getArray("documents")) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            const auto d = list->getObject(static_cast<unsigned>(i));
            by_document_[d->getValue<std::string>("type") + "|" + d->getValue<std::string>("number")] = {
                d->getValue<std::string>("last_name"), d->getValue<std::string>("birth_date"),
                d->getValue<std::string>("status"), d->optValue<std::string>("valid_until", "")};
        }
    }
}

sim::Response PassportRegistry::answer(xml::Document& envelope, const soap::XRoadHeader& header, xmlNodePtr body,
                                       sim::Annotation& annotation) {
    const SoapService& service = registry().services.front();
    if (xml::local_name(body) != service.request) {
        return client_fault(&header, "unknown operation " + xml::local_name(body), annotation);
    }
    if (header.service.service_code != service.xroad_code) {
        return client_fault(&header,
                            "xrd:service names " + header.service.service_code + " but the body is " + service.request,
                            annotation);
    }
    envelope.bind("pc", kNamespace);
    const auto text = [&](const char* path) { return envelope.text(path, body).value_or(""); };
    const auto found = by_document_.find(text("pc:DocumentType") + "|" + text("pc:DocumentNumber"));
    xml::Writer w;
    w.open("pc:" + service.response, {{"xmlns:pc", kNamespace}});
    // A number that exists but belongs to someone else is answered as one that does not exist.
    if (found == by_document_.end() || found->second.last_name != text("pc:LastName") ||
        found->second.birth_date != text("pc:BirthDate")) {
        annotation.outcome = "not_found";
        w.open("pc:NotFound").close();
    } else {
        annotation.outcome = found->second.status;
        w.open("pc:Document").leaf("pc:Status", found->second.status);
        if (!found->second.valid_until.empty()) w.leaf("pc:ValidUntil", found->second.valid_until);
        w.close();
    }
    w.close();
    return ok(header, w.str());
}

}  // namespace passport_check
