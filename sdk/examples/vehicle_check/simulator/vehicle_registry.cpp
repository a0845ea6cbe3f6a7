#include "vehicle_registry.h"

#include "../src/vehicle_check.h"

#include <vikno/sim/xroad_registry.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

namespace vehicle_check {

using namespace vikno;
using Poco::JSON::Object;

VehicleRegistry::VehicleRegistry(const sim::Options& options) : XRoadRestRegistry(options, default_settings()) {
    const auto fixtures =
        sim::load_fixtures(sim::option(options, "fixtures", VEHICLE_CHECK_DIR "/fixtures/vehicles.json"));
    if (const auto list = fixtures->getArray("vehicles")) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            const auto v = list->getObject(static_cast<unsigned>(i));
            by_plate_[v->getValue<std::string>("plate")] = {
                v->getValue<std::string>("owner_rnokpp"), v->getValue<std::string>("status"),
                v->getValue<std::string>("model"), v->getValue<std::string>("registered_at")};
        }
    }
}

sim::Response VehicleRegistry::answer(const sim::Request& request, const std::string& path,
                                      sim::Annotation& annotation) {
    if (request.method != "POST" || path != services().front().path) {
        return error(404, "unknown_operation", request.method + " " + path + " is not an operation of the register",
                     annotation, "invalid");
    }
    Object::Ptr body;
    try {
        body = Poco::JSON::Parser().parse(request.body).extract<Object::Ptr>();
    } catch (const std::exception&) {
        return error(400, "not_json", "the body is not a JSON object", annotation, "invalid");
    }
    const auto text = [&](const char* key) {
        const auto value = body->get(key);
        return value.isString() ? value.toString() : std::string();
    };
    // The request definition: exactly plate and ownerRnokpp, both well formed.
    const bool only_known = std::all_of(body->begin(), body->end(), [](const auto& entry) {
        return entry.first == "plate" || entry.first == "ownerRnokpp";
    });
    const std::string plate = text("plate");
    const std::string owner = text("ownerRnokpp");
    if (!only_known || !is_plate(plate) || owner.size() != 10 ||
        owner.find_first_not_of("0123456789") != std::string::npos) {
        return error(400, "schema", "a check needs exactly plate (e.g. АА1234ВВ) and ownerRnokpp (10 digits)",
                     annotation, "invalid");
    }
    const auto found = by_plate_.find(plate);
    if (found == by_plate_.end() || found->second.owner_rnokpp != owner) {
        return error(404, "not_found", "no such vehicle of this owner", annotation, "not_found");
    }
    Object::Ptr out = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    out->set("status", found->second.status);
    out->set("model", found->second.model);
    out->set("registeredAt", found->second.registered_at);
    annotation.outcome = found->second.status;
    return json(200, out);
}

}  // namespace vehicle_check
