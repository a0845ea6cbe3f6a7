#include "translator.h"

#include <vikno/signing.h>

namespace vikno::diia {

FieldErrors validate_case(const CaseView& c) {
    const Service* service = find_service(c.service);
    if (service == nullptr) return {{"service", "is not a Diia service"}};
    FieldErrors errors;
    if (service->operation == Operation::SignFiles) {
        const std::size_t files = c.subject_count("files").value_or(0);
        if (files == 0 || files > 20) {
            errors.push_back({"subject.files", "is required: 1 to 20 files, each {name, sha256 (base64 of 32 bytes)}"});
            return errors;
        }
        for (std::size_t i = 0; i < files; ++i) {
            const std::string file = "files." + std::to_string(i);
            const std::string at = "subject.files[" + std::to_string(i) + "]";
            if (c.subject_text(file + ".name").value_or("").empty()) errors.push_back({at + ".name", "is required"});
            auto hash = crypto::base64_decode(c.subject_text(file + ".sha256").value_or(""));
            if (!hash || hash.value().size() != 32) {
                errors.push_back({at + ".sha256", "must be the base64 of a SHA-256 hash (32 bytes)"});
            }
        }
    }
    return errors;
}

Result<Exchange> translate_case(const CaseView& c, const ExchangeContext& context, const Settings& settings) {
    if (find_service(c.service) == nullptr)
        return Error{"unknown_service", "'" + c.service + "' is not a Diia service"};
    if (auto errors = validate_case(c); !errors.empty()) {
        return Error{"invalid_case", errors.front().field + " " + errors.front().reason};
    }
    Exchange session;
    session.protocol = Protocol::Rest;
    session.method = "GET";
    session.path = "/api/v1/auth/acquirer/" + settings.acquirer_token;
    session.headers = {{"Authorization", "Basic " + crypto::base64(settings.auth_basic)}};
    session.message_id = context.message_id;
    return session;
}

Exchange offer_request(const CaseView& c, const Settings& settings, const std::string& session_token,
                       const std::string& request_id) {
    const bool signing = find_service(c.service)->operation == Operation::SignFiles;
    DocumentWriter body;
    body.text("offerId", signing ? settings.signing_offer_id : settings.document_offer_id);
    body.text("requestId", request_id);
    if (signing) {
        std::vector<DocumentWriter> hashed;
        for (std::size_t i = 0; i < c.subject_count("files").value_or(0); ++i) {
            const std::string file = "files." + std::to_string(i);
            hashed.push_back(DocumentWriter()
                                 .text("fileName", c.subject_text(file + ".name").value_or(""))
                                 .text("fileHash", c.subject_text(file + ".sha256").value_or("")));
        }
        body.object("data",
                    DocumentWriter().object("hashedFilesSigning", DocumentWriter().objects("hashedFiles", hashed)));
    }
    const std::string text = body.json();
    Exchange next;
    next.protocol = Protocol::Rest;
    next.method = "POST";
    next.path = "/api/v2/acquirers/branch/" + settings.branch_id + "/offer-request/dynamic";
    next.content_type = "application/json";
    next.headers = {{"Authorization", "Bearer " + session_token}};
    next.body = text;
    next.message_id = request_id + "-offer";
    return next;
}

}  // namespace vikno::diia
