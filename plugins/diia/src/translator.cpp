#include "translator.h"

#include <vikno/case_json.h>
#include <vikno/signing.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

namespace vikno::diia {
namespace {

Poco::JSON::Array::Ptr files_of(const Case& c) {
    return c.subject && c.subject->has("files") ? c.subject->getArray("files") : nullptr;
}

}  // namespace

FieldErrors validate_case(const Case& c) {
    const Service* service = find_service(c.service);
    if (service == nullptr) return {{"service", "is not a Diia service"}};
    FieldErrors errors;
    if (service->operation == Operation::SignFiles) {
        const auto files = files_of(c);
        if (!files || files->size() == 0 || files->size() > 20) {
            errors.push_back({"subject.files", "is required: 1 to 20 files, each {name, sha256 (base64 of 32 bytes)}"});
            return errors;
        }
        for (std::size_t i = 0; i < files->size(); ++i) {
            const auto file = files->getObject(static_cast<unsigned>(i));
            const std::string at = "subject.files[" + std::to_string(i) + "]";
            if (!file || file->optValue<std::string>("name", "").empty())
                errors.push_back({at + ".name", "is required"});
            auto hash = crypto::base64_decode(file ? file->optValue<std::string>("sha256", "") : "");
            if (!hash || hash.value().size() != 32) {
                errors.push_back({at + ".sha256", "must be the base64 of a SHA-256 hash (32 bytes)"});
            }
        }
    }
    return errors;
}

Result<Exchange> translate_case(const Case& c, const ExchangeContext& context, const Settings& settings) {
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

Exchange offer_request(const Case& c, const Settings& settings, const std::string& session_token,
                       const std::string& request_id) {
    const bool signing = find_service(c.service)->operation == Operation::SignFiles;
    Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("offerId", signing ? settings.signing_offer_id : settings.document_offer_id);
    body.set("requestId", request_id);
    if (signing) {
        Poco::JSON::Array::Ptr hashed = new Poco::JSON::Array;
        const auto files = files_of(c);
        for (std::size_t i = 0; files && i < files->size(); ++i) {
            const auto file = files->getObject(static_cast<unsigned>(i));
            Poco::JSON::Object::Ptr item = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            item->set("fileName", file->getValue<std::string>("name"));
            item->set("fileHash", file->getValue<std::string>("sha256"));
            hashed->add(item);
        }
        Poco::JSON::Object::Ptr signing_data = new Poco::JSON::Object;
        signing_data->set("hashedFiles", hashed);
        Poco::JSON::Object::Ptr data = new Poco::JSON::Object;
        data->set("hashedFilesSigning", signing_data);
        body.set("data", data);
    }
    const std::string text = to_json_text(body);
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
