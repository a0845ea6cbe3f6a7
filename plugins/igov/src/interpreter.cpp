#include "interpreter.h"

#include <vikno/json_answer.h>
#include <vikno/soap_answer.h>

#include <Poco/JSON/Object.h>

namespace vikno::igov {
namespace {

using Poco::JSON::Object;

const rest::RegistryName kPortal{"Портал iGov", "The iGov portal"};

}  // namespace

// The order a status change was sent for: `.../orders/{id}/status`.
std::string order_of(const Exchange& sent) {
    const auto end = sent.path.rfind("/status");
    const auto start = sent.path.rfind("/orders/", end);
    if (end == std::string::npos || start == std::string::npos) return {};
    return sent.path.substr(start + 8, end - start - 8);
}

Interpretation interpret_answer(const CaseView& c, const Exchange& sent, const RegistryAnswer& answer) {
    const Service* service = find_service(c.service);
    const auto opened = rest::open_json_answer(answer, kPortal);
    if (opened.decided) return *opened.decided;
    const Object::Ptr& json = opened.json;
    const auto [code, message] = rest::first_error(json);
    if (answer.status == 404) {
        return soap::decide(Verdict::Rejected, "order not found: " + code, "Заявку на порталі iGov не знайдено",
                            "The iGov portal has no such order");
    }
    if (answer.status == 409) {
        return soap::decide(Verdict::Rejected, "status change refused: " + code,
                            "Портал iGov не дозволив зміну статусу: " + message,
                            "The iGov portal refused the status change: " + message);
    }
    if (answer.status != 200 && answer.status != 201) {
        return soap::decide(Verdict::Failed, "HTTP " + std::to_string(answer.status) + " " + code,
                            "Портал iGov відхилив запит: " + message,
                            "The iGov portal refused the request: " + message);
    }
    const std::string order = json->optValue<std::string>("sID_Order", "");
    const std::string status = json->optValue<std::string>("sStatus", "");
    if (order.empty() || status.empty()) return rest::malformed(kPortal, "sID_Order or sStatus missing");
    // The answer is bound to this request by X-Road-Id; the order it reports must be the one asked about.
    if (service->operation != Operation::CreateOrder && order != order_of(sent)) {
        return soap::decide(Verdict::Failed,
                            "order_mismatch: the answer reports order " + order + ", not " + order_of(sent),
                            "Портал iGov відповів про іншу заявку", "The iGov portal answered about another order");
    }
    DocumentWriter document;
    document.text("order_id", order).text("status", status);
    Interpretation result;
    if (service->operation == Operation::CreateOrder) {
        result = soap::decide(Verdict::Completed, "order created", "Заявку на порталі iGov створено: " + order,
                              "An order was created on the iGov portal: " + order);
    } else {
        document.text("previous_status", json->optValue<std::string>("sStatusPrevious", ""));
        result = soap::decide(Verdict::Completed, "status changed to " + status,
                              "Статус заявки " + order + " на порталі iGov змінено: " + status,
                              "The status of iGov order " + order + " is now " + status);
    }
    result.outcome.registry_reference = order;
    result.outcome.document_json = document.json();
    return result;
}

}  // namespace vikno::igov
