#pragma once
// The simulated demographic register (ЄДДР): validates each SOAP request against the X-Road schemas
// and the plugin's XSD, checks the X-Road header and the addressed service, refuses a birth date in
// the future or a birth record dated before the birth; assigns a UNZR
// from the birth date, and answers a birth record it has seen before with the number it assigned
// then (seeded from fixtures/records.json). A repeated message id is answered from its cache.

#include <vikno/sim/xroad_registry.h>

#include <map>
#include <mutex>
#include <string>

namespace vikno::demographic_registry {

class EddrRegistry final : public sim::XRoadSoapRegistry {
public:
    /// `options.extra`: fixtures, schema, xroad-schemas, instance, member-class, member-code, subsystem.
    explicit EddrRegistry(const sim::Options& options);

private:
    sim::Response answer(xml::Document& envelope, const soap::XRoadHeader& header, xmlNodePtr body,
                         sim::Annotation& annotation) override;

    struct Assigned {
        std::string unzr;
        std::string record_date;
    };
    std::mutex mutex_;
    std::map<std::string, Assigned> by_act_;          // "act number|registry office" -> its number
    std::map<std::string, unsigned> serial_by_date_;  // birth date -> the last serial given
};

}  // namespace vikno::demographic_registry
