#pragma once
// The simulated vehicle register: the SDK's X-Road REST base checks the X-Road prefix and headers,
// the gateway's HTTP message signature and replays, and signs the answers; this class checks the
// request body against the request definition in schema/vehicle_check.schema.json and answers
// from fixtures/vehicles.json only when the owner matches.

#include <vikno/sim/xroad_rest_registry.h>

#include <map>
#include <string>

namespace vehicle_check {

class VehicleRegistry final : public vikno::sim::XRoadRestRegistry {
public:
    /// `options.extra`: fixtures, instance, member-class, member-code, subsystem.
    explicit VehicleRegistry(const vikno::sim::Options& options);

private:
    vikno::sim::Response answer(const vikno::sim::Request& request, const std::string& path,
                                vikno::sim::Annotation& annotation) override;

    struct Vehicle {
        std::string owner_rnokpp;
        std::string status;
        std::string model;
        std::string registered_at;
    };
    std::map<std::string, Vehicle> by_plate_;
};

}  // namespace vehicle_check
