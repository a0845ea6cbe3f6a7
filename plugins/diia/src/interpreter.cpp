#include "interpreter.h"

#include "multipart.h"
#include "translator.h"

#include <vikno/signing.h>
#include <vikno/soap_answer.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace vikno::diia {
namespace {

using Poco::JSON::Object;

Object::Ptr json_object(const std::string& body) {
    try {
        Poco::JSON::Parser parser;
        return parser.parse(body).extract<Object::Ptr>();
    } catch (const std::exception&) {
        return nullptr;
    }
}

Interpretation malformed(const std::string& reason) {
    return soap::decide(Verdict::Retry, "malformed answer: " + reason,
                        "Дія надіслала пошкоджену відповідь, запит буде повторено",
                        "Diia sent a malformed answer; the request will be retried");
}

}  // namespace

Interpretation interpret_answer(const CaseView& c, const Exchange& sent, const RegistryAnswer& answer,
                                const Settings& settings) {
    if (answer.status >= 500) {
        return soap::decide(Verdict::Retry, "HTTP " + std::to_string(answer.status),
                            "Дія тимчасово недоступна, запит буде повторено",
                            "Diia is temporarily unavailable; the request will be retried");
    }
    const auto json = json_object(answer.body);
    if (answer.status != 200) {
        const std::string message = json ? json->optValue<std::string>("message", "") : "";
        return soap::decide(Verdict::Failed, "HTTP " + std::to_string(answer.status) + " " + message,
                            "Дія відхилила запит: " + message, "Diia refused the request: " + message);
    }
    if (!json) return malformed("not a JSON object");
    if (sent.path.rfind("/api/v1/auth/acquirer/", 0) == 0) {
        const std::string token = json->optValue<std::string>("token", "");
        if (token.empty()) return malformed("no session token");
        Interpretation next = soap::decide(Verdict::Continue, "session opened; deep link next", "", "");
        next.next = offer_request(c, settings, token, sent.message_id);
        return next;
    }
    const std::string deeplink = json->optValue<std::string>("deeplink", "");
    if (deeplink.empty()) return malformed("no deeplink");
    const std::string request_id = sent.message_id.substr(0, sent.message_id.rfind("-offer"));
    const bool signing = find_service(c.service)->operation == Operation::SignFiles;
    Interpretation waiting =
        soap::decide(Verdict::Await, "deep link issued; waiting for the applicant in Diia",
                     signing ? "Відкрийте посилання або QR-код у застосунку Дія, щоб підписати файли"
                             : "Відкрийте посилання або QR-код у застосунку Дія, щоб поділитися документами",
                     signing ? "Open the link or QR code in the Diia app to sign the files"
                             : "Open the link or QR code in the Diia app to share the documents");
    waiting.outcome.document_json = DocumentWriter().text("deeplink", deeplink).text("request_id", request_id).json();
    waiting.awaiting = request_id;
    return waiting;
}

Interpretation read_callback(const CaseView& c, const RegistryAnswer& callback) {
    const auto parts = parse_multipart(callback.body, boundary_of(callback.header("Content-Type")));
    if (!parts) {
        return soap::decide(Verdict::Failed, "the callback is not multipart/form-data",
                            "Дія надіслала пошкоджену відповідь", "Diia sent a malformed callback");
    }
    std::vector<DocumentWriter> files;
    for (const auto& part : *parts) {
        if (part.filename.empty()) continue;
        files.push_back(DocumentWriter()
                            .text("field", part.name)
                            .text("filename", part.filename)
                            .text("content_type", part.content_type)
                            .integer("size", static_cast<std::int64_t>(part.body.size()))
                            .text("sha256", crypto::base64(crypto::sha256(part.body)))
                            .text("content_base64", crypto::base64(part.body)));
    }
    const bool signing = find_service(c.service)->operation == Operation::SignFiles;
    if (files.empty()) {
        return soap::decide(Verdict::Rejected, "the applicant declined in Diia",
                            signing ? "Заявник не підписав файли в Дії" : "Заявник не поділився документами в Дії",
                            signing ? "The applicant did not sign the files in Diia"
                                    : "The applicant did not share the documents in Diia");
    }
    Interpretation done = soap::decide(Verdict::Completed, std::to_string(files.size()) + " file(s) received",
                                       signing ? "Підписи з Дії отримано: " + std::to_string(files.size())
                                               : "Документи з Дії отримано: " + std::to_string(files.size()),
                                       signing ? "Signatures received from Diia: " + std::to_string(files.size())
                                               : "Documents received from Diia: " + std::to_string(files.size()));
    done.outcome.document_json =
        DocumentWriter().text("request_id", callback.header(kTraceHeader)).objects("files", files).json();
    done.outcome.registry_reference = callback.header(kTraceHeader);
    return done;
}

}  // namespace vikno::diia
