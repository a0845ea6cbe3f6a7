#pragma once
// One CNAP back-end connection to the gateway's API: HTTPS with the office's
// client certificate, kept alive between requests as a back-end's connection
// pool would.

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPSClientSession.h>

#include <memory>
#include <string>

namespace vikno::bench {

struct ApiAnswer {
    int status = 0;  ///< 0: no answer (connection failed)
    std::string body;
    std::string error;
};

/// The TLS client context of an office: its certificate and key, and the CA
/// that issued the gateway's TLS certificate.
Poco::Net::Context::Ptr office_tls(const std::string& certificate, const std::string& key, const std::string& ca);

class ApiClient {
public:
    ApiClient(const std::string& address, Poco::Net::Context::Ptr tls);

    ApiAnswer post_case(const std::string& body, const std::string& idempotency_key);
    ApiAnswer get(const std::string& path);

private:
    ApiAnswer exchange(const std::string& method, const std::string& path, const std::string& body,
                       const std::string& idempotency_key);

    std::string host_;
    unsigned short port_ = 0;
    Poco::Net::Context::Ptr tls_;
    std::unique_ptr<Poco::Net::HTTPSClientSession> session_;
};

}  // namespace vikno::bench
