#include "message_security.h"

#include <vikno/http_signature.h>
#include <vikno/jws.h>
#include <vikno/soap.h>
#include <vikno/xml_dsig.h>

#include <cctype>
#include <ctime>
#include <stdexcept>

namespace vikno::sim {
namespace {

std::unique_ptr<crypto::Signer> open(const std::string& option, const std::string& key,
                                     const std::string& certificate) {
    auto signer = crypto::open_signer(key, certificate);
    if (!signer) throw std::runtime_error(option + ": " + signer.error().message);
    return std::move(signer.value());
}

// One changed character of content: the first text character inside the SOAP Body, or the first
// digit of any other body.
void tamper(std::string& body) {
    const auto soap_body = body.find(":Body");
    for (std::size_t i = soap_body == std::string::npos ? 0 : soap_body; i < body.size(); ++i) {
        const auto ch = static_cast<unsigned char>(body[i]);
        const bool content =
            soap_body == std::string::npos ? std::isdigit(ch) != 0 : std::isalnum(ch) != 0 && body[i - 1] == '>';
        if (content) {
            body[i] = body[i] == '1' ? '2' : '1';
            return;
        }
    }
    body.insert(0, " ");
}

}  // namespace

MessageSecurity::MessageSecurity(const SecurityOptions& options, SignatureProfile profile) : profile_(profile) {
    if (profile == SignatureProfile::None) return;
    if (options.signing_key.empty() || options.signing_certificate.empty() ||
        options.client_signing_certificate.empty()) {
        throw std::runtime_error(
            "--signing-key, --signing-cert and --client-signing-cert are required: the registry signs its answers and "
            "checks the gateway's signatures (for development: certs/make-dev-pki.sh makes certs/dev/)");
    }
    signer_ = open("--signing-key", options.signing_key, options.signing_certificate);
    auto client = crypto::Certificate::load_pem_file(options.client_signing_certificate);
    if (!client) throw std::runtime_error("--client-signing-cert: " + client.error().message);
    client_ = client.value();
    if (!options.foreign_signing_key.empty()) {
        foreign_ = open("--foreign-signing-key", options.foreign_signing_key, options.foreign_signing_certificate);
    }
}

std::string MessageSecurity::check_request(const Request& request, const std::string& scheme) const {
    if (profile_ == SignatureProfile::None) return {};
    Result<bool> verified = true;
    if (profile_ == SignatureProfile::XmlDsigXRoad) {
        verified = xmldsig::verify_envelope(request.body, *client_, std::time(nullptr));
    } else if (profile_ == SignatureProfile::DetachedJws) {
        verified = jws::verify_detached(request.header(jws::kHeader), request.body, *client_, std::time(nullptr));
    } else {
        httpsig::HttpMessage message;
        message.method = request.method;
        message.target_uri = scheme + "://" + request.header("Host") + request.target;
        message.headers = request.headers;
        message.body = request.body;
        verified = httpsig::verify(message, *client_, std::time(nullptr));
    }
    return verified ? std::string() : verified.error().code + ": " + verified.error().message;
}

void MessageSecurity::sign_answer(const Request& request, Response& response, AnswerSignature mode) const {
    if (profile_ == SignatureProfile::None || mode == AnswerSignature::None) return;
    const crypto::Signer& signer = mode == AnswerSignature::Foreign && foreign_ ? *foreign_ : *signer_;
    if (profile_ == SignatureProfile::XmlDsigXRoad) {
        auto signed_body = xmldsig::sign_envelope(response.body, signer);
        if (signed_body) response.body = std::move(signed_body.value());
    } else if (profile_ == SignatureProfile::DetachedJws) {
        if (auto signature = jws::sign_detached(response.body, signer, std::time(nullptr))) {
            response.headers.emplace_back(jws::kHeader, std::move(signature.value()));
        }
    } else {
        if (const std::string id = request.header("X-Road-Id");
            !id.empty() && find_header(response.headers, "X-Road-Id").empty()) {
            response.headers.emplace_back("X-Road-Id", id);
        }
        httpsig::HttpMessage message;
        message.status = response.status;
        message.headers = response.headers;
        if (!response.content_type.empty()) message.headers.emplace_back("Content-Type", response.content_type);
        message.body = response.body;
        if (httpsig::sign(message, signer, std::time(nullptr))) {
            for (const auto& header : message.headers) {
                if (header.first == "Content-Digest" || header.first == "Signature-Input" ||
                    header.first == "Signature") {
                    response.headers.push_back(header);
                }
            }
        }
    }
    if (mode == AnswerSignature::Tampered) tamper(response.body);
}

Response Registry::refused(const Request& /*request*/, const std::string& reason) {
    if (signature() == SignatureProfile::XmlDsigXRoad) {
        return {
            500, soap::kContentType, {}, soap::build_fault(nullptr, "soap:Client", "signature rejected: " + reason)};
    }
    std::string escaped;
    for (const char ch : reason) {
        if (ch == '"' || ch == '\\') escaped += '\\';
        escaped += ch;
    }
    return {401, "application/json", {}, R"({"errors":[{"code":"signature_rejected","message":")" + escaped + "\"}]}"};
}

}  // namespace vikno::sim
