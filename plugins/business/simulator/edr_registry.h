#pragma once
// The simulated Unified State Register (ЄДР): the public API's search and details over X-Road REST
// (JSON), and the plain-XML registration of individual entrepreneurs, validated against its XSD.
// Checks the X-Road path and headers and the gateway's signature; answers a repeated X-Road-Id from
// its cache; keeps new registrations in memory.

#include <vikno/sim/xroad_rest_registry.h>
#include <vikno/xml_schema.h>

#include <Poco/JSON/Object.h>

#include <mutex>
#include <set>

namespace vikno::business {

class EdrRegistry final : public sim::XRoadRestRegistry {
public:
    explicit EdrRegistry(const sim::Options& options);

private:
    sim::Response answer(const sim::Request& request, const std::string& path, sim::Annotation& annotation) override;
    sim::Response search(const std::string& query, sim::Annotation& annotation);
    sim::Response details(const std::string& id, sim::Annotation& annotation);
    sim::Response register_fop(const std::string& body, sim::Annotation& annotation);

    xml::Schema schema_;
    Poco::JSON::Object::Ptr fixtures_;
    std::mutex mutex_;
    std::set<std::string> entrepreneurs_;  // RNOKPPs registered as ФОП
    std::uint64_t next_record_ = 1000000;
};

}  // namespace vikno::business
