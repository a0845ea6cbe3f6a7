#pragma once
// The simulated iGov portal: REST over X-Road with HTTP message signatures. It checks the X-Road
// path and client headers, validates each body against the rules of schema/igov-orders.schema.json,
// checks order ids' Luhn digits and the portal's allowed status changes, keeps its orders in
// memory (seeded from fixtures/orders.json), and answers a repeated X-Road-Id from its cache.

#include <vikno/sim/replay_cache.h>
#include <vikno/sim/simulator.h>
#include <vikno/xroad_service.h>

#include <map>
#include <mutex>

namespace vikno::igov {

class IgovPortal final : public sim::Registry {
public:
    explicit IgovPortal(const sim::Options& options);

    sim::Response handle(const sim::Request& request, sim::Annotation& annotation) override;
    sim::Response server_error(const sim::Request& request) override;
    std::string message_id(const sim::Request& request) override { return request.header("X-Road-Id"); }
    SignatureProfile signature() const override { return SignatureProfile::HttpMessageSig; }

private:
    sim::Response create(const Poco::JSON::Object::Ptr& body, sim::Annotation& annotation);
    sim::Response change_status(const std::string& order, const Poco::JSON::Object::Ptr& body,
                                sim::Annotation& annotation);

    std::string prefix_;  // /r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/
    std::uint32_t server_ = 3;
    std::mutex mutex_;
    std::map<std::string, std::string> status_;  // order id -> status
    std::uint64_t next_process_ = 200000;
    sim::ReplayCache replays_;
};

}  // namespace vikno::igov
