#include <vikno/soap.h>
#include <vikno/soap_answer.h>

namespace vikno::soap {
namespace {

Interpretation unavailable(std::string reason) {
    return decide(Verdict::Retry, std::move(reason), "Реєстр тимчасово недоступний, запит буде повторено",
                  "The registry is temporarily unavailable; the request will be retried");
}

Interpretation malformed(std::string reason) {
    return decide(Verdict::Retry, "malformed answer: " + std::move(reason),
                  "Реєстр надіслав пошкоджену відповідь, запит буде повторено",
                  "The registry sent a malformed answer; the request will be retried");
}

OpenedAnswer decided(Interpretation interpretation) {
    OpenedAnswer opened;
    opened.decided = std::move(interpretation);
    return opened;
}

}  // namespace

Interpretation decide(Verdict verdict, std::string reason, std::string message_uk, std::string message_en) {
    Interpretation result;
    result.verdict = verdict;
    result.reason = std::move(reason);
    result.outcome.message_uk = std::move(message_uk);
    result.outcome.message_en = std::move(message_en);
    return result;
}

OpenedAnswer open_answer(const RegistryAnswer& answer, const Exchange& sent, const std::string& prefix,
                         const std::string& ns, const std::string& response_element) {
    auto parsed = xml::parse(answer.body);
    if (!parsed) {
        if (answer.status >= 500) return decided(unavailable("HTTP " + std::to_string(answer.status)));
        return decided(malformed(parsed.error().message));
    }
    xml::Document& d = parsed.value();
    bind_namespaces(d);
    d.bind(prefix, ns);
    if (auto fault = read_fault(d)) {
        // SOAP 1.1: Client faults mean our request is wrong (final); Server faults may pass.
        if (fault->code.find("Client") == std::string::npos) {
            return decided(unavailable("SOAP fault " + fault->code + ": " + fault->string));
        }
        return decided(decide(Verdict::Failed, "SOAP fault " + fault->code + ": " + fault->string,
                              "Реєстр відхилив запит як некоректний: " + fault->string,
                              "The registry refused the request as invalid: " + fault->string));
    }
    // The HTTP status is not signed; the envelope is. A signed answer is read by its body whatever
    // the status line says, so that nobody on the way can turn a registry's "done" into a failure.
    auto header = read_header(d);
    if (!header) return decided(malformed(header.error().message));
    if (header.value().id != sent.message_id) {
        return decided(malformed("the answer's xrd:id '" + header.value().id + "' is not the request's"));
    }
    auto body = body_element(d);
    if (!body) return decided(malformed(body.error().message));
    if (xml::local_name(body.value()) != response_element || xml::namespace_uri(body.value()) != ns) {
        return decided(
            malformed("expected " + prefix + ":" + response_element + ", got " + xml::local_name(body.value())));
    }
    OpenedAnswer opened;
    opened.body = body.value();
    opened.document = std::move(parsed).value();
    return opened;
}

}  // namespace vikno::soap
