#pragma once
// The simulated civil status registry: validates each SOAP request against the X-Road schemas and
// the plugin's XSD, checks the X-Road header and the addressed service, answers from seeded
// records, echoes the X-Road header, and answers a repeated message id from its cache.

#include <vikno/sim/simulator.h>
#include <vikno/soap.h>
#include <vikno/xml_schema.h>

#include <Poco/JSON/Object.h>

#include <deque>
#include <map>
#include <mutex>

namespace vikno::civil_registry {

class DracRegistry final : public sim::Registry {
public:
    /// `options.extra`: fixtures, schema, xroad-schemas, member-code, subsystem, instance.
    explicit DracRegistry(const sim::Options& options);

    sim::Response handle(const sim::Request& request, sim::Annotation& annotation) override;
    sim::Response server_error(const sim::Request& request) override;
    std::string message_id(const sim::Request& request) override;

private:
    struct Cached {
        std::string body_hash;
        sim::Response response;
    };

    sim::Response answer(xml::Document& envelope, const soap::XRoadHeader& header, xmlNodePtr body,
                         sim::Annotation& annotation);

    xml::Schema schema_;
    Poco::JSON::Object::Ptr records_;
    soap::XRoadService identity_;
    std::mutex mutex_;
    std::map<std::string, Cached> seen_;  // message id -> first answer
    std::deque<std::string> seen_order_;  // oldest first, to bound the cache
};

}  // namespace vikno::civil_registry
