#include "api/api_server.h"

#include "api/endpoints.h"
#include "api/problem.h"
#include "common/storage_full.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/URI.h>

#include <spdlog/spdlog.h>

#include <algorithm>

namespace vikno::gateway {
namespace {

class Router final : public Poco::Net::HTTPRequestHandler {
public:
    explicit Router(ApiContext& context) : context_(context) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        const std::string path = Poco::URI(request.getURI()).getPath();
        const std::string& method = request.getMethod();
        try {
            route(path, method, request, response);
            finish_body(request, response);
        } catch (const StoreUnavailable& e) {
            spdlog::error("api: {} {}: {}", method, path, e.what());
            if (!response.sent()) {
                response.set("Retry-After", "5");
                send_problem(response,
                             {503,
                              "store-unavailable",
                              "The gateway's database does not answer",
                              "nothing of this request was kept; send it again after the Retry-After seconds (the "
                              "same Idempotency-Key is safe to reuse)",
                              {}},
                             path);
            }
        } catch (const StorageFull& e) {
            // The write had no effect (its transaction rolled back, its audit lines cut off): the
            // client may send the same request again later.
            context_.space.report_full(e.what());
            if (!response.sent()) send_storage_full(response, path);
        } catch (const std::exception& e) {
            spdlog::error("api: {} {}: {}", method, path, e.what());
            if (!response.sent()) {
                send_problem(
                    response,
                    {500, "internal", "Internal error", "the gateway could not complete the request; it is logged", {}},
                    path);
            }
        }
    }

private:
    // An early answer (415, 400, 403, 503, 413 ...) leaves the request body unread. On a keep-alive
    // connection those bytes would be parsed as the next request; on a closing one they would turn
    // the close into a reset that can lose our answer. So read what is left, up to four body limits;
    // a body larger still closes the connection.
    void finish_body(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) const {
        std::istream& in = request.stream();
        char buffer[8192];
        std::size_t left = 4 * context_.config.server.max_body_bytes;
        while (in && left > 0) {
            in.read(buffer, static_cast<std::streamsize>(std::min(sizeof buffer, left)));
            left -= static_cast<std::size_t>(in.gcount());
        }
        if (in && in.peek() != std::char_traits<char>::eof()) response.setKeepAlive(false);
    }

    void route(const std::string& path, const std::string& method, Poco::Net::HTTPServerRequest& request,
               Poco::Net::HTTPServerResponse& response) {
        // Health and metrics carry no personal data and serve supervisors without office certificates.
        if (path == "/healthz") return endpoints::health(context_, request, response);
        if (path == "/metrics") return endpoints::metrics(context_, request, response);
        static const std::string kCallbacks = "/v1/callbacks/";
        if (path.rfind(kCallbacks, 0) == 0) {
            if (method == "POST")
                return endpoints::registry_callback(context_, path.substr(kCallbacks.size()), request, response);
            return not_allowed(response, path, "POST");
        }
        const OfficeConfig* office = authenticate(request, response, path);
        if (office == nullptr) return;
        static const std::string kCases = "/v1/cases/";
        if (path == "/v1/cases") {
            if (method == "POST") return endpoints::submit_case(context_, *office, request, response);
            return not_allowed(response, path, "POST");
        }
        static const std::string kCancel = "/cancel";
        if (path.rfind(kCases, 0) == 0 && path.ends_with(kCancel) && path.size() > kCases.size() + kCancel.size() &&
            path.find('/', kCases.size()) == path.size() - kCancel.size()) {
            const std::string id = path.substr(kCases.size(), path.size() - kCases.size() - kCancel.size());
            if (method == "POST") return endpoints::cancel_case(context_, *office, id, request, response);
            return not_allowed(response, path, "POST");
        }
        if (path.rfind(kCases, 0) == 0 && path.size() > kCases.size() &&
            path.find('/', kCases.size()) == std::string::npos) {
            if (method == "GET") {
                return endpoints::get_case(context_, *office, path.substr(kCases.size()), request, response);
            }
            return not_allowed(response, path, "GET");
        }
        if (path == "/v1/registries") {
            if (method == "GET") return endpoints::list_registries(context_, request, response);
            return not_allowed(response, path, "GET");
        }
        if (path == "/v1/services") {
            if (method == "GET") return endpoints::list_services(context_, *office, request, response);
            return not_allowed(response, path, "GET");
        }
        send_problem(response,
                     {404,
                      "not-found",
                      "No such resource",
                      "see docs/api.md for the endpoints: /v1/cases, /v1/services, /v1/registries, /healthz, /metrics",
                      {}},
                     path);
    }

    // The office the client certificate names. TLS has already checked that the CNAP CA issued it;
    // here its common name must be a configured office. Otherwise 403 and nullptr.
    const OfficeConfig* authenticate(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                                     const std::string& path) {
        std::string name;
        try {
            auto& impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl&>(request);
            Poco::Net::SecureStreamSocket socket(impl.socket());
            if (socket.havePeerCertificate()) name = socket.peerCertificate().commonName();
        } catch (const Poco::Exception&) {
            name.clear();
        }
        if (name.empty()) {
            send_problem(response,
                         {403,
                          "client-certificate-required",
                          "Client certificate required",
                          "present the office's client certificate issued by the CNAP CA (see docs/api.md)",
                          {}},
                         path);
            return nullptr;
        }
        const OfficeConfig* office = context_.config.office(name);
        if (office == nullptr) {
            spdlog::warn("api: refused a client certificate for '{}': no such office in {}", name,
                         context_.config.source);
            send_problem(
                response,
                {403,
                 "office-unknown",
                 "Unknown office",
                 "the client certificate names office '" + name + "', which this gateway's configuration does not list",
                 {}},
                path);
        }
        return office;
    }

    static void not_allowed(Poco::Net::HTTPServerResponse& response, const std::string& path,
                            const std::string& allow) {
        response.set("Allow", allow);
        send_problem(response, {405, "method-not-allowed", "Method not allowed", path + " accepts " + allow, {}}, path);
    }

    ApiContext& context_;
};

class RouterFactory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit RouterFactory(ApiContext& context) : context_(context) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Router(context_);
    }

private:
    ApiContext& context_;
};

}  // namespace

ApiServer::ApiServer(ApiContext context) : context_(context) {}

ApiServer::~ApiServer() { stop(); }

std::uint16_t ApiServer::start() {
    const auto& server = context_.config.server;
    Poco::Net::SecureServerSocket socket(context_.tls);
    try {
        // SO_REUSEADDR for quick restarts, never SO_REUSEPORT: a second gateway must not share the port.
        socket.bind(Poco::Net::SocketAddress(server.host, server.port), true, false);
        socket.listen(256);
    } catch (const Poco::Exception& e) {
        throw ConfigError(context_.config.source + ": server.listen: cannot listen on " + server.host + ":" +
                          std::to_string(server.port) + ": " + e.displayText() +
                          " (is another gateway running? choose another port)");
    }
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(server.threads);
    params->setMaxQueued(1024);
    params->setKeepAlive(true);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new RouterFactory(context_), socket, params);
    server_->start();
    return socket.address().port();
}

void ApiServer::stop() {
    if (server_) {
        server_->stopAll(false);
        server_.reset();
    }
}

}  // namespace vikno::gateway
