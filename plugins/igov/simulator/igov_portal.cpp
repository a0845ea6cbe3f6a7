#include "igov_portal.h"

#include "../src/order_id.h"
#include "../src/services.h"

#include <vikno/sim/xroad_registry.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace vikno::igov {
namespace {

using Poco::JSON::Object;

bool has_only(const Object::Ptr& object, const std::vector<std::string>& keys) {
    for (const auto& [key, value] : *object) {
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) return false;
    }
    for (const auto& key : keys) {
        if (!object->has(key)) return false;
    }
    return true;
}

bool digits(const std::string& text, std::size_t size) {
    return text.size() == size && text.find_first_not_of("0123456789") == std::string::npos;
}

// The request body against schema/igov-orders.schema.json; empty when it conforms.
std::string create_problem(const Object::Ptr& body) {
    if (!has_only(body, {"nID_Service", "sDescription", "applicant", "sID_Office", "sID_Case"})) {
        return "the order needs exactly nID_Service, sDescription, applicant, sID_Office, sID_Case";
    }
    if (!body->get("nID_Service").isInteger() || body->getValue<int>("nID_Service") < 1)
        return "nID_Service must be a positive integer";
    if (body->getValue<std::string>("sDescription").size() > 500) return "sDescription is longer than 500";
    const auto applicant = body->getObject("applicant");
    if (!applicant || !has_only(applicant, {"sINN", "sLastName", "sFirstName", "sMiddleName"})) {
        return "applicant needs exactly sINN, sLastName, sFirstName, sMiddleName";
    }
    if (!digits(applicant->getValue<std::string>("sINN"), 10)) return "applicant.sINN must be 10 digits";
    if (applicant->getValue<std::string>("sLastName").empty() ||
        applicant->getValue<std::string>("sFirstName").empty()) {
        return "applicant names must not be empty";
    }
    return {};
}

}  // namespace

IgovPortal::IgovPortal(const sim::Options& options) : XRoadRestRegistry(options, default_settings()) {
    const auto fixtures = sim::load_fixtures(sim::option(options, "fixtures", IGOV_DIR "/fixtures/orders.json"));
    server_ = fixtures->optValue<std::uint32_t>("server", 3);
    next_process_ = fixtures->optValue<std::uint64_t>("next_process", 200000);
    const auto orders = fixtures->getArray("orders");
    for (std::size_t i = 0; orders && i < orders->size(); ++i) {
        const auto order = orders->getObject(static_cast<unsigned>(i));
        status_[OrderId{server_, order->getValue<std::string>("process")}.text()] =
            order->getValue<std::string>("status");
    }
}

sim::Response IgovPortal::answer(const sim::Request& request, const std::string& service, sim::Annotation& annotation) {
    Object::Ptr body;
    try {
        Poco::JSON::Parser parser;
        body = parser.parse(request.body).extract<Object::Ptr>();
    } catch (const std::exception&) {
        return error(400, "not_json", "the body is not a JSON object", annotation, "invalid");
    }
    if (request.method == "POST" && service == "orders") return create(body, annotation);
    if (request.method == "PUT" && service.rfind("orders/", 0) == 0 && service.ends_with("/status")) {
        return change_status(service.substr(7, service.size() - 7 - 7), body, annotation);
    }
    return error(404, "unknown_operation", request.method + " " + service + " is not an operation of the portal",
                 annotation, "invalid");
}

sim::Response IgovPortal::create(const Object::Ptr& body, sim::Annotation& annotation) {
    if (const auto problem = create_problem(body); !problem.empty()) {
        return error(400, "invalid_order", problem, annotation, "invalid");
    }
    OrderId id;
    {
        std::lock_guard lock(mutex_);
        id = OrderId{server_, std::to_string(next_process_++)};
        status_[id.text()] = "created";
    }
    annotation.outcome = "created";
    Object answer(Poco::JSON_PRESERVE_KEY_ORDER);
    answer.set("nID_Server", id.server);
    answer.set("nID_Protected", id.process + luhn_digit(id.process));
    answer.set("sID_Order", id.text());
    answer.set("sStatus", "created");
    return json(201, answer);
}

sim::Response IgovPortal::change_status(const std::string& order, const Object::Ptr& body,
                                        sim::Annotation& annotation) {
    if (!parse_order_id(order)) {
        return error(422, "check_digit", "order id " + order + " has a wrong form or check digit", annotation,
                     "invalid");
    }
    if (!has_only(body, {"sStatus", "sComment"}) || !is_status(body->getValue<std::string>("sStatus"))) {
        return error(400, "invalid_status", "the body needs sStatus (a portal status) and sComment", annotation,
                     "invalid");
    }
    const std::string to = body->getValue<std::string>("sStatus");
    std::string from;
    {
        std::lock_guard lock(mutex_);
        const auto it = status_.find(order);
        if (it == status_.end()) return error(404, "order_not_found", "no order " + order, annotation, "not_found");
        from = it->second;
        if (!transition_allowed(from, to)) {
            return error(409, "transition_not_allowed", "an order in status " + from + " cannot become " + to,
                         annotation, "refused");
        }
        it->second = to;
    }
    annotation.outcome = "changed";
    Object answer(Poco::JSON_PRESERVE_KEY_ORDER);
    answer.set("sID_Order", order);
    answer.set("sStatus", to);
    answer.set("sStatusPrevious", from);
    return json(200, answer);
}

}  // namespace vikno::igov
