#include "eddr_registry.h"

#include "../src/registry.h"

#include <vikno/xml.h>

#include <Poco/JSON/Array.h>

#include <cstdio>

namespace vikno::demographic_registry {
namespace {

// Days from `a` to `b` (YYYY-MM-DD).
long days_between(const std::string& a, const std::string& b) { return sim::day_number(b) - sim::day_number(a); }

std::string response_xml(const SoapService& service, const std::string& inner) {
    xml::Writer w;
    w.open("eddr:" + service.response, {{"xmlns:eddr", kNamespace}});
    w.raw(inner);
    w.close();
    return w.str();
}

std::string refusal(const std::string& code, const std::string& reason) {
    xml::Writer w;
    w.open("eddr:Refused").leaf("eddr:Code", code).leaf("eddr:Reason", reason).close();
    return w.str();
}

}  // namespace

EddrRegistry::EddrRegistry(const sim::Options& options)
    : XRoadSoapRegistry(options, kNamespace, DEMOGRAPHIC_REGISTRY_DIR "/schema/demographic_registry.xsd",
                        VIKNO_XROAD_SCHEMA_DIR, registry().address) {
    const auto fixtures =
        sim::load_fixtures(sim::option(options, "fixtures", DEMOGRAPHIC_REGISTRY_DIR "/fixtures/records.json"));
    if (const auto list = fixtures->getArray("assigned")) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            const auto record = list->getObject(static_cast<unsigned>(i));
            by_act_[record->getValue<std::string>("act_number") + "|" +
                    record->getValue<std::string>("registry_office")] = {record->getValue<std::string>("unzr"),
                                                                         record->getValue<std::string>("record_date")};
        }
    }
}

sim::Response EddrRegistry::answer(xml::Document& envelope, const soap::XRoadHeader& header, xmlNodePtr body,
                                   sim::Annotation& annotation) {
    const SoapService* requested = registry().by_request(xml::local_name(body));
    if (requested == nullptr) return client_fault(&header, "unknown operation " + xml::local_name(body), annotation);
    if (requested->xroad_code != header.service.service_code) {
        return client_fault(
            &header, "xrd:service names " + header.service.service_code + " but the body is " + requested->request,
            annotation);
    }
    envelope.bind("eddr", kNamespace);
    const std::string birth_date = envelope.text("eddr:Child/eddr:BirthDate", body).value_or("");
    const std::string act_date = envelope.text("eddr:BirthAct/eddr:ActDate", body).value_or("");
    const std::string today = sim::today_utc();
    std::string inner;
    if (days_between(today, birth_date) > 0) {
        annotation.outcome = "refused";
        inner = refusal("BIRTH_DATE_IN_FUTURE", "Дата народження пізніша за сьогоднішню");
    } else if (days_between(birth_date, act_date) < 0) {
        annotation.outcome = "refused";
        inner = refusal("ACT_BEFORE_BIRTH", "Актовий запис датовано раніше за народження");
    } else {
        const std::string act = envelope.text("eddr:BirthAct/eddr:ActNumber", body).value_or("") + "|" +
                                envelope.text("eddr:BirthAct/eddr:RegistryOffice", body).value_or("");
        const std::lock_guard lock(mutex_);
        bool again = true;
        auto found = by_act_.find(act);
        if (found == by_act_.end()) {
            again = false;
            std::string date = birth_date;
            date.erase(7, 1).erase(4, 1);
            char serial[8];
            std::snprintf(serial, sizeof serial, "%05u", ++serial_by_date_[date] % 100000);
            found = by_act_.emplace(act, Assigned{date + "-" + serial, today}).first;
        }
        annotation.outcome = again ? "already_assigned" : "assigned";
        xml::Writer w;
        w.open("eddr:Assigned")
            .leaf("eddr:Unzr", found->second.unzr)
            .leaf("eddr:RecordDate", found->second.record_date)
            .leaf("eddr:AlreadyAssigned", again ? "true" : "false")
            .close();
        inner = w.str();
    }
    return ok(header, response_xml(*requested, inner));
}

}  // namespace vikno::demographic_registry
