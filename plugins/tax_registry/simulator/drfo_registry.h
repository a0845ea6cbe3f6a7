#pragma once
// The simulated taxpayer register (ДРФО): REST over X-Road with HTTP message signatures. It checks
// the X-Road path and headers (the base), validates each body by the rules of
// schema/tax_registry.schema.json, and:
//  - gives a newborn a new RNOKPP (birth date's day number, a serial whose last digit is odd for a boy
//    and even for a girl, the check digit), the same one again for a birth record it has seen, and
//    refuses a birth in the future or a UNZR whose date is not the birth date;
//  - takes a known taxpayer (fixtures/taxpayers.json) on the register as a sole trader, refusing
//    unknown people and the single tax to those with a tax debt.
// A repeated X-Road-Id is answered from the replay cache.

#include <vikno/sim/xroad_rest_registry.h>

#include <Poco/JSON/Object.h>

#include <map>
#include <mutex>
#include <set>
#include <string>

namespace vikno::tax_registry {

class DrfoRegistry final : public sim::XRoadRestRegistry {
public:
    explicit DrfoRegistry(const sim::Options& options);

private:
    sim::Response answer(const sim::Request& request, const std::string& path, sim::Annotation& annotation) override;
    sim::Response register_newborn(const Poco::JSON::Object::Ptr& body, sim::Annotation& annotation);
    sim::Response register_entrepreneur(const Poco::JSON::Object::Ptr& body, sim::Annotation& annotation);

    std::map<std::string, std::string> tax_office_;  // rnokpp -> tax office
    std::set<std::string> single_tax_refused_;
    std::mutex mutex_;
    std::map<std::string, std::string> newborns_;  // birth act "number|date" -> RNOKPP
    std::map<long, int> serial_by_day_;            // birth day number -> last serial
    std::set<std::string> entrepreneurs_;          // registered RNOKPPs
};

}  // namespace vikno::tax_registry
