#pragma once
// The simulated iGov portal: REST over X-Road with HTTP message signatures. It checks the X-Road
// path and client headers, validates each body against the rules of schema/igov-orders.schema.json,
// checks order ids' Luhn digits and the portal's allowed status changes, keeps its orders in
// memory (seeded from fixtures/orders.json), and answers a repeated X-Road-Id from its cache.

#include <vikno/sim/xroad_rest_registry.h>

#include <Poco/JSON/Object.h>

#include <map>
#include <mutex>

namespace vikno::igov {

class IgovPortal final : public sim::XRoadRestRegistry {
public:
    explicit IgovPortal(const sim::Options& options);

private:
    sim::Response answer(const sim::Request& request, const std::string& path, sim::Annotation& annotation) override;
    sim::Response create(const Poco::JSON::Object::Ptr& body, sim::Annotation& annotation);
    sim::Response change_status(const std::string& order, const Poco::JSON::Object::Ptr& body,
                                sim::Annotation& annotation);

    std::uint32_t server_ = 3;
    std::mutex mutex_;
    std::map<std::string, std::string> status_;  // order id -> status
    std::uint64_t next_process_ = 200000;
};

}  // namespace vikno::igov
