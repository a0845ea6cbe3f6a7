#include "interpreter.h"

#include <vikno/json_answer.h>
#include <vikno/soap_answer.h>
#include <vikno/xml.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace vikno::business {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// The answers' own words name no register: the business register's messages say "the registry".
const rest::RegistryName kRegister{"Реєстр", "The registry"};

Interpretation malformed(const std::string& reason) { return rest::malformed(kRegister, reason); }

Interpretation not_found() {
    return soap::decide(Verdict::Rejected, "no subject found",
                        "Суб'єкта за вказаним кодом у Єдиному державному реєстрі не знайдено",
                        "No subject with this code is in the Unified State Register");
}

// The message of the first entry of the register's error list, or empty.
std::string first_error(const std::string& body) {
    try {
        return rest::first_error(Poco::JSON::Parser().parse(body).extract<Object::Ptr>()).message;
    } catch (const std::exception&) {
        return {};
    }
}

// The follow-up request for the details of subject `id`: the same X-Road client headers, its own
// message id (the search's with a suffix, stable across retries).
Exchange details_request(const Exchange& search, const std::string& id) {
    Exchange next;
    next.protocol = Protocol::Rest;
    next.method = "GET";
    next.path = search.path.substr(0, search.path.find("1.0/subjects?")) + "1.0/subjects/" + id;
    next.message_id = search.message_id + "-details";
    for (const auto& [name, value] : search.headers) {
        if (name.rfind("X-Road-", 0) != 0) continue;
        next.headers.emplace_back(name, name == "X-Road-Id" ? next.message_id : value);
    }
    return next;
}

Interpretation search_result(const Exchange& sent, const std::string& body) {
    Array::Ptr matches;
    try {
        Poco::JSON::Parser parser;
        matches = parser.parse(body).extract<Array::Ptr>();
    } catch (const std::exception&) {
        return malformed("the search answer is not a JSON array");
    }
    if (matches->size() == 0) return not_found();
    const auto first = matches->getObject(0);
    if (!first || !first->has("id")) return malformed("a match without an id");
    Interpretation next =
        soap::decide(Verdict::Continue, std::to_string(matches->size()) + " match(es); details next", "", "");
    next.next = details_request(sent, first->get("id").toString());
    return next;
}

Interpretation details_result(const std::string& body) {
    Object::Ptr subject;
    try {
        Poco::JSON::Parser parser;
        subject = parser.parse(body).extract<Object::Ptr>();
    } catch (const std::exception&) {
        return malformed("the details are not a JSON object");
    }
    const auto names = subject->getObject("names");
    if (!names || !subject->has("code")) return malformed("the details lack code or names");
    // The registry's own fields, copied as it wrote them.
    DocumentWriter document;
    for (const char* key : {"id", "code", "names", "state", "state_text", "olf_code", "olf_name", "address",
                            "activity_kinds", "founders", "heads", "registration"}) {
        if (subject->has(key)) document.json_value(key, rest::json_text_of(subject->get(key)));
    }
    const std::string name = names->optValue<std::string>("short", names->optValue<std::string>("name", ""));
    Interpretation result = soap::decide(Verdict::Completed, "subject found", "Відомості з ЄДР отримано: " + name,
                                         "Extract from the register obtained: " + name);
    result.outcome.registry_reference = subject->get("code").toString();
    result.outcome.document_json = document.json();
    return result;
}

Interpretation registration_result(const std::string& body) {
    auto parsed = xml::parse(body);
    if (!parsed) return malformed(parsed.error().message);
    xml::Document& d = parsed.value();
    d.bind("fop", kFopNamespace);
    if (auto number = d.text("/fop:FopRegistrationResponse/fop:Registered/fop:RecordNumber")) {
        Interpretation result = soap::decide(Verdict::Completed, "registered",
                                             "Фізичну особу — підприємця зареєстровано, номер запису " + *number,
                                             "The entrepreneur is registered, record number " + *number);
        result.outcome.registry_reference = *number;
        result.outcome.document_json =
            DocumentWriter()
                .text("record_number", *number)
                .text("registered_at",
                      d.text("/fop:FopRegistrationResponse/fop:Registered/fop:RegisteredAt").value_or(""))
                .json();
        return result;
    }
    const auto reasons = d.nodes("/fop:FopRegistrationResponse/fop:Refused/fop:Reason");
    if (reasons.empty()) return malformed("neither Registered nor Refused");
    std::string text;
    for (xmlNodePtr reason : reasons) text += (text.empty() ? "" : "; ") + xml::node_text(reason);
    return soap::decide(Verdict::Rejected, "registration refused", "У державній реєстрації відмовлено: " + text,
                        "The registration was refused: " + text);
}

}  // namespace

Interpretation interpret_answer(const CaseView& c, const Exchange& sent, const RegistryAnswer& answer) {
    const Service* service = find_service(c.service);
    if (answer.status >= 500) return rest::unavailable(kRegister, "HTTP " + std::to_string(answer.status));
    if (answer.status == 404) return not_found();
    if (answer.status != 200) {
        const std::string message = first_error(answer.body);
        return soap::decide(Verdict::Failed, "HTTP " + std::to_string(answer.status),
                            "Реєстр відхилив запит: " + message, "The registry refused the request: " + message);
    }
    if (service->operation == Operation::FopRegistration) return registration_result(answer.body);
    if (sent.path.find("1.0/subjects?") != std::string::npos) return search_result(sent, answer.body);
    return details_result(answer.body);
}

}  // namespace vikno::business
