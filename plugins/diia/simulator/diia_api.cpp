#include "diia_api.h"

#include "../src/multipart.h"
#include "../src/services.h"

#include <vikno/http_signature.h>
#include <vikno/signing.h>
#include <vikno/sim/xroad_registry.h>

#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

namespace vikno::diia {
namespace {

using Poco::JSON::Object;

sim::Response json(int status, const std::string& body) { return {status, "application/json", {}, body}; }

sim::Response refuse(int status, const std::string& message, sim::Annotation& annotation) {
    annotation.outcome = "refused";
    Object body;
    body.set("message", message);
    std::ostringstream out;
    body.stringify(out);
    return json(status, out.str());
}

}  // namespace

DiiaApi::DiiaApi(const sim::Options& options)
    : acquirer_token_(sim::option(options, "acquirer-token", "vikno-dev-acquirer")),
      auth_basic_(sim::option(options, "auth-basic", "vikno:dev-secret")),
      branch_id_(sim::option(options, "branch-id", "branch-vinnytsia-01")),
      offers_{"offer-documents-01", "offer-signing-01"},
      callback_url_(sim::option(options, "callback-url", "")),
      callback_ready_file_(sim::option(options, "callback-ready-file", "")),
      callback_ca_(options.security.client_ca),
      callback_delay_ms_(std::stoi(sim::option(options, "callback-delay-ms", "100"))),
      decline_(sim::option(options, "decline", "no")),
      attack_(sim::option(options, "callback-attack", "none")) {
    if (attack_ != "none" && attack_ != "unbound" && attack_ != "retarget" && attack_ != "duplicate" &&
        attack_ != "replay") {
        throw std::runtime_error("--callback-attack must be none, unbound, retarget, duplicate or replay, not '" +
                                 attack_ + "'");
    }
    if (callback_url_.empty() && callback_ready_file_.empty()) {
        throw std::runtime_error(
            "--callback-url URL (or --callback-ready-file FILE with the gateway's host:port) is "
            "required: Diia answers by calling the partner back");
    }
    auto signer = crypto::open_signer(options.security.signing_key, options.security.signing_certificate);
    if (!signer) throw std::runtime_error("--signing-key: " + signer.error().message);
    signer_ = std::move(signer.value());
}

DiiaApi::~DiiaApi() {
    stopping_ = true;  // pending applicants give up; nobody is called back after the simulator stops
    for (auto& thread : callbacks_) thread.join();
}

sim::Response DiiaApi::server_error(const sim::Request& /*request*/) {
    return json(503, R"({"message":"Diia is temporarily unavailable"})");
}

sim::Response DiiaApi::handle(const sim::Request& request, sim::Annotation& annotation) {
    static const std::string kSession = "/api/v1/auth/acquirer/";
    static const std::string kBranch = "/api/v2/acquirers/branch/";
    static const std::string kOffer = "/offer-request/dynamic";
    if (request.method == "GET" && request.target.rfind(kSession, 0) == 0) {
        return session(request, request.target.substr(kSession.size()), annotation);
    }
    if (request.method == "POST" && request.target.rfind(kBranch, 0) == 0 && request.target.ends_with(kOffer)) {
        return offer(request,
                     request.target.substr(kBranch.size(), request.target.size() - kBranch.size() - kOffer.size()),
                     annotation);
    }
    return refuse(404, "no such operation: " + request.method + " " + request.target, annotation);
}

sim::Response DiiaApi::session(const sim::Request& request, const std::string& token, sim::Annotation& annotation) {
    if (request.header("Authorization") != "Basic " + crypto::base64(auth_basic_)) {
        return refuse(401, "wrong partner credentials", annotation);
    }
    if (token != acquirer_token_) return refuse(403, "unknown acquirer token", annotation);
    const std::string session =
        sim::sha256_hex(token + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    {
        std::lock_guard lock(mutex_);
        sessions_.insert(session);
    }
    annotation.outcome = "session";
    return json(200, R"({"token":")" + session + "\"}");
}

sim::Response DiiaApi::offer(const sim::Request& request, const std::string& branch, sim::Annotation& annotation) {
    const std::string auth = request.header("Authorization");
    {
        std::lock_guard lock(mutex_);
        if (auth.rfind("Bearer ", 0) != 0 || !sessions_.contains(auth.substr(7))) {
            return refuse(401, "no valid session token", annotation);
        }
    }
    if (branch != branch_id_) return refuse(404, "unknown branch " + branch, annotation);
    Object::Ptr body;
    try {
        Poco::JSON::Parser parser;
        body = parser.parse(request.body).extract<Object::Ptr>();
    } catch (const std::exception&) {
        return refuse(400, "the body is not JSON", annotation);
    }
    const std::string offer = body->optValue<std::string>("offerId", "");
    const std::string request_id = body->optValue<std::string>("requestId", "");
    if (!offers_.contains(offer) || request_id.empty())
        return refuse(400, "offerId and requestId are required", annotation);
    if (const auto data = body->getObject("data")) {
        const auto signing = data->getObject("hashedFilesSigning");
        const auto files = signing ? signing->getArray("hashedFiles") : nullptr;
        if (!files || files->size() == 0) return refuse(400, "hashedFilesSigning.hashedFiles is required", annotation);
        for (std::size_t i = 0; i < files->size(); ++i) {
            auto hash = crypto::base64_decode(
                files->getObject(static_cast<unsigned>(i))->optValue<std::string>("fileHash", ""));
            if (!hash || hash.value().size() != 32) return refuse(400, "fileHash must be base64 SHA-256", annotation);
        }
    }
    annotation.message_id = request_id;
    bool first = false;
    {
        std::lock_guard lock(mutex_);
        first = requests_.insert(request_id).second;
        // The applicant acts once per request id: a repeated offer request gets the same link.
        if (first) callbacks_.emplace_back([this, request_id, body] { call_back(request_id, body); });
    }
    annotation.outcome = first ? "deeplink" : "replay";
    annotation.replay = !first;
    return json(200, R"({"deeplink":"https://diia.app/acquirer/offer-request/dynamic/)" +
                         sim::sha256_hex(request_id).substr(0, 24) + "\"}");
}

std::string DiiaApi::callback_url() const {
    if (!callback_url_.empty()) return callback_url_;
    std::ifstream in(callback_ready_file_);
    std::string address;
    std::getline(in, address);
    return "https://" + address + "/v1/callbacks/diia";
}

// What the app sends once the applicant agreed: the documents, or a signature per hashed file.
void DiiaApi::call_back(const std::string& request_id, const Poco::JSON::Object::Ptr& body) {
    const auto due = std::chrono::steady_clock::now() + std::chrono::milliseconds(callback_delay_ms_);
    while (std::chrono::steady_clock::now() < due) {
        if (stopping_) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::vector<Part> parts;
    if (decline_ != "yes") {
        const auto data = body->getObject("data");
        if (data && data->getObject("hashedFilesSigning")) {
            const auto files = data->getObject("hashedFilesSigning")->getArray("hashedFiles");
            for (std::size_t i = 0; i < files->size(); ++i) {
                const auto file = files->getObject(static_cast<unsigned>(i));
                auto signature = signer_->sign(crypto::base64_decode(file->getValue<std::string>("fileHash")).value());
                parts.push_back({"encodeData", file->getValue<std::string>("fileName") + ".p7s",
                                 "application/pkcs7-signature", signature ? signature.value() : std::string()});
            }
        } else {
            parts.push_back({"encodeData", "internal-passport.pdf", "application/pdf",
                             "%PDF-1.4\n% simulated Diia document: internal passport\n"});
            parts.push_back({"encodeData", "taxpayer-card.json", "application/json",
                             R"({"document":"taxpayer-card","rnokpp":"3652504575"})"});
        }
    }
    const std::string boundary = "diia-" + sim::sha256_hex(request_id).substr(0, 16);
    httpsig::HttpMessage genuine;
    genuine.method = "POST";
    genuine.target_uri = Poco::URI(callback_url()).toString();
    genuine.headers = {{"Content-Type", "multipart/form-data; boundary=" + boundary}, {kTraceHeader, request_id}};
    genuine.body = build_multipart(parts, boundary);
    httpsig::HttpMessage unbound = genuine;
    if (!httpsig::sign(genuine, *signer_, std::time(nullptr), {kTraceHeader})) return;
    const std::string other = other_pending(request_id);
    if (attack_ == "unbound" && httpsig::sign(unbound, *signer_, std::time(nullptr))) {
        post_callback(request_id, "unbound", unbound);
    } else if (attack_ == "retarget" && !other.empty()) {
        httpsig::HttpMessage retargeted = genuine;
        for (auto& [name, value] : retargeted.headers) {
            if (name == kTraceHeader) value = other;
        }
        post_callback(request_id, "retarget to " + other, retargeted);
    } else if (attack_ == "duplicate") {
        httpsig::HttpMessage duplicated = genuine;
        duplicated.headers.insert(duplicated.headers.begin(), {kTraceHeader, other.empty() ? request_id : other});
        post_callback(request_id, "duplicate", duplicated);
    }
    post_callback(request_id, "genuine", genuine);
    {
        std::lock_guard lock(mutex_);
        called_back_.insert(request_id);
    }
    if (attack_ == "replay") post_callback(request_id, "replay", genuine);
}

std::string DiiaApi::other_pending(const std::string& request_id) {
    std::lock_guard lock(mutex_);
    for (const auto& id : requests_) {
        if (id != request_id && !called_back_.contains(id)) return id;
    }
    return {};
}

void DiiaApi::post_callback(const std::string& request_id, const std::string& attack,
                            const httpsig::HttpMessage& message) {
    try {
        const Poco::URI uri(message.target_uri);
        Poco::Net::Context::Params params;
        params.caLocation = callback_ca_;
        params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
        params.loadDefaultCAs = callback_ca_.empty();
        Poco::Net::HTTPSClientSession session(uri.getHost(), uri.getPort(),
                                              new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params));
        Poco::Net::HTTPRequest post(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathEtc(),
                                    Poco::Net::HTTPMessage::HTTP_1_1);
        // add, not set: a duplicated header must reach the partner as two field lines
        for (const auto& [name, value] : message.headers) post.add(name, value);
        post.setContentLength(static_cast<std::streamsize>(message.body.size()));
        session.sendRequest(post) << message.body;
        Poco::Net::HTTPResponse response;
        std::string answer;
        Poco::StreamCopier::copyToString(session.receiveResponse(response), answer);
        std::string type = "-";
        try {
            Poco::JSON::Parser parser;
            type = parser.parse(answer).extract<Object::Ptr>()->optValue<std::string>("type", "-");
        } catch (const std::exception&) {}
        std::cout << "diia: callback for " << request_id << " (" << attack << ") answered " << response.getStatus()
                  << " " << type << std::endl;
    } catch (const Poco::Exception& e) {
        std::cout << "diia: callback for " << request_id << " (" << attack << ") failed: " << e.displayText()
                  << std::endl;
    }
}

}  // namespace vikno::diia
