#pragma once
// The simulated civil status registry: validates each SOAP request against the X-Road schemas and
// the plugin's XSD, checks the X-Road header and the addressed service, answers from seeded
// records, echoes the X-Road header, and answers a repeated message id from its cache.

#include <vikno/sim/xroad_registry.h>

#include <Poco/JSON/Object.h>

namespace vikno::civil_registry {

class DracRegistry final : public sim::XRoadSoapRegistry {
public:
    /// `options.extra`: fixtures, schema, xroad-schemas, instance, member-class, member-code, subsystem.
    explicit DracRegistry(const sim::Options& options);

private:
    sim::Response answer(xml::Document& envelope, const soap::XRoadHeader& header, xmlNodePtr body,
                         sim::Annotation& annotation) override;

    Poco::JSON::Object::Ptr records_;
};

}  // namespace vikno::civil_registry
