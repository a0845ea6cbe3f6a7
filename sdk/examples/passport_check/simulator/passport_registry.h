#pragma once
// The simulated document check: the SDK's SOAP registry base validates each request against the
// X-Road schemas, the strict request envelope and schema/passport_check.xsd, checks the X-Road
// header and the signature, and answers a repeated message id from its cache; this class looks the
// document up in fixtures/documents.json and answers its status only when the person matches.

#include <vikno/sim/xroad_registry.h>

#include <map>
#include <string>

namespace passport_check {

class PassportRegistry final : public vikno::sim::XRoadSoapRegistry {
public:
    /// `options.extra`: fixtures, schema, xroad-schemas, instance, member-class, member-code, subsystem.
    explicit PassportRegistry(const vikno::sim::Options& options);

private:
    vikno::sim::Response answer(vikno::xml::Document& envelope, const vikno::soap::XRoadHeader& header, xmlNodePtr body,
                                vikno::sim::Annotation& annotation) override;

    struct Record {
        std::string last_name;
        std::string birth_date;
        std::string status;
        std::string valid_until;
    };
    std::map<std::string, Record> by_document_;  // "type|number" -> its record
};

}  // namespace passport_check
