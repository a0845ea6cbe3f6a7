#pragma once
// The simulated State Register of Real Property Rights: on top of the SDK's X-Road SOAP checks, it
// finds the seeded objects by cadastral number or by a right holder's RNOKPP/EDRPOU and answers
// with their rights and encumbrances.

#include <vikno/sim/xroad_registry.h>

#include <Poco/JSON/Object.h>

namespace vikno::real_estate {

class DrrpRegistry final : public sim::XRoadSoapRegistry {
public:
    /// `options.extra`: fixtures, schema, xroad-schemas, instance, member-class, member-code, subsystem.
    explicit DrrpRegistry(const sim::Options& options);

private:
    sim::Response answer(xml::Document& envelope, const soap::XRoadHeader& header, xmlNodePtr body,
                         sim::Annotation& annotation) override;

    Poco::JSON::Object::Ptr records_;
};

}  // namespace vikno::real_estate
