#include "api_client.h"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

namespace vikno::bench {

Poco::Net::Context::Ptr office_tls(const std::string& certificate, const std::string& key, const std::string& ca) {
    Poco::Net::Context::Params params;
    params.certificateFile = certificate;
    params.privateKeyFile = key;
    params.caLocation = ca;
    params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
    params.loadDefaultCAs = false;
    return new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
}

ApiClient::ApiClient(const std::string& address, Poco::Net::Context::Ptr tls) : tls_(std::move(tls)) {
    const auto colon = address.rfind(':');
    host_ = address.substr(0, colon);
    port_ = static_cast<unsigned short>(std::stoi(address.substr(colon + 1)));
}

ApiAnswer ApiClient::post_case(const std::string& body, const std::string& idempotency_key) {
    return exchange("POST", "/v1/cases", body, idempotency_key);
}

ApiAnswer ApiClient::get(const std::string& path) { return exchange("GET", path, "", ""); }

ApiAnswer ApiClient::exchange(const std::string& method, const std::string& path, const std::string& body,
                              const std::string& idempotency_key) {
    ApiAnswer answer;
    try {
        if (!session_) {
            session_ = std::make_unique<Poco::Net::HTTPSClientSession>(host_, port_, tls_);
            session_->setKeepAlive(true);
            session_->setTimeout(Poco::Timespan(30, 0));
        }
        Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
        request.setKeepAlive(true);
        if (method == "POST") {
            request.setContentType("application/json");
            request.set("Idempotency-Key", idempotency_key);
            request.setContentLength(static_cast<std::streamsize>(body.size()));
        }
        session_->sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::istream& in = session_->receiveResponse(response);
        Poco::StreamCopier::copyToString(in, answer.body);
        answer.status = response.getStatus();
        if (!response.getKeepAlive()) session_.reset();  // the server closed it (e.g. 503): reconnect next time
    } catch (const Poco::Exception& e) {
        answer.status = 0;
        answer.error = e.displayText();
        session_.reset();
    }
    return answer;
}

}  // namespace vikno::bench
