#include "console/console_server.h"

#include "api/problem.h"
#include "console/assets.h"
#include "console/audit_snapshot.h"
#include "console/endpoints.h"

#include <vikno/signing.h>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/X509Certificate.h>

#include <spdlog/spdlog.h>

#include <cctype>
#include <ctime>

namespace vikno::gateway::console {
namespace {

// Nothing but the console's own files may run or load; no frame, no form elsewhere, no referrer.
constexpr int kThreads = 24;

constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

void security_headers(Poco::Net::HTTPServerResponse& response) {
    response.set("Content-Security-Policy", kContentSecurityPolicy);
    response.set("X-Content-Type-Options", "nosniff");
    response.set("X-Frame-Options", "DENY");
    response.set("Referrer-Policy", "no-referrer");
    response.set("Cross-Origin-Opener-Policy", "same-origin");
    response.set("Cross-Origin-Resource-Policy", "same-origin");
    response.set("Strict-Transport-Security", "max-age=31536000");
}

std::string media_type(std::string_view name) {
    if (name.ends_with(".html")) return "text/html; charset=utf-8";
    if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
    if (name.ends_with(".css")) return "text/css; charset=utf-8";
    return "application/octet-stream";
}

class Router final : public Poco::Net::HTTPRequestHandler {
public:
    Router(ConsoleContext& context, AuditSnapshot& audit) : context_(context), audit_(audit) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        security_headers(response);
        Poco::URI uri;
        try {
            uri = Poco::URI(request.getURI());
        } catch (const Poco::Exception&) {
            send_problem(response, {400, "bad-uri", "Malformed request URI", "", {}}, "");
            return;
        }
        const std::string path = uri.getPath();
        const ConsoleUser* viewer = identify(request);
        if (viewer == nullptr) {
            send_problem(response,
                         {403,
                          "console-user-unknown",
                          "Not a console user",
                          "this client certificate is not listed in console.users; ask the gateway's operator to "
                          "add its common name with a role",
                          {}},
                         path);
            return;
        }
        Call call{context_, audit_, *viewer, request, response, path, uri.getQueryParameters()};
        try {
            route(call, request.getMethod());
        } catch (const std::exception& e) {
            spdlog::error("console: {} {}: {}", request.getMethod(), path, e.what());
            if (!response.sent()) {
                send_problem(response,
                             {500, "internal", "Internal error", "the console could not answer; it is logged", {}},
                             path);
            }
        }
    }

private:
    // TLS has checked the certificate chains to console.client_ca (the handshake demands one); the
    // common name must also be a configured user.
    const ConsoleUser* identify(Poco::Net::HTTPServerRequest& request) {
        try {
            auto& impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl&>(request);
            Poco::Net::SecureStreamSocket socket(impl.socket());
            if (!socket.havePeerCertificate()) return nullptr;
            const std::string name = socket.peerCertificate().commonName();
            const ConsoleUser* user = context_.config.console.user(name);
            if (user == nullptr) spdlog::warn("console: refused '{}': not in console.users", name);
            return user;
        } catch (const Poco::Exception&) {
            return nullptr;
        }
    }

    void route(Call& call, const std::string& method) {
        const std::string& path = call.path;
        if (path == "/" || path == "/console") {
            call.response.redirect("/console/");
            return;
        }
        static const std::string kApi = "/console/api/";
        if (path.rfind(kApi, 0) == 0) {
            call.response.set("Cache-Control", "no-store");
            const std::string rest = path.substr(kApi.size());
            if (method == "POST") {
                // A certificate goes with every request the browser makes, also one another site
                // triggers; a header of our own cannot be sent across origins without a preflight
                // this server never answers.
                if (call.request.get("X-Vikno-Console", "") != "1") {
                    send_problem(call.response,
                                 {403,
                                  "cross-site-request",
                                  "Refused",
                                  "a change must come from the console page itself (X-Vikno-Console: 1)",
                                  {}},
                                 path);
                    return;
                }
                if (rest.starts_with("audit/entries/") && rest.ends_with("/reveal")) {
                    const std::string seq = rest.substr(14, rest.size() - 14 - 7);
                    return audit_entry(call, seq, true);
                }
                return not_allowed(call);
            }
            if (method != "GET" && method != "HEAD") return not_allowed(call);
            if (rest == "me") return whoami(call);
            if (rest == "registries") return registries(call);
            if (rest == "cases") return list_cases(call);
            if (rest == "quality") return quality(call, false);
            if (rest == "quality.csv") return quality(call, true);
            if (rest == "audit/entries") return audit_entries(call);
            if (rest == "audit/state") return audit_state(call);
            if (rest.starts_with("audit/entries/")) return audit_entry(call, rest.substr(14), false);
            if (rest.starts_with("cases/")) {
                const std::string id = rest.substr(6);
                if (id.ends_with("/bundle")) return case_bundle(call, id.substr(0, id.size() - 7));
                if (id.find('/') == std::string::npos && !id.empty()) return case_timeline(call, id);
            }
            return not_found(call, "no such console endpoint (see docs/console.md)");
        }
        static const std::string kPages = "/console/";
        if (path.rfind(kPages, 0) == 0 && (method == "GET" || method == "HEAD")) {
            std::string name = path.substr(kPages.size());
            if (name.empty()) name = "index.html";
            for (const auto& asset : assets()) {
                if (asset.name == name) return serve_asset(call, asset);
            }
        }
        not_found(call, "no such page; the console is at /console/");
    }

    // Revalidated every time (no-cache with an ETag): a new gateway's page is never mixed with an
    // old cached script, and an unchanged file costs a 304.
    static void serve_asset(Call& call, const Asset& asset) {
        const std::string etag = "\"" + crypto::sha256_hex(asset.body).substr(0, 32) + "\"";
        call.response.set("Cache-Control", "no-cache");
        call.response.set("ETag", etag);
        if (call.request.get("If-None-Match", "") == etag) {
            call.response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_MODIFIED);
            call.response.setContentLength(0);
            call.response.send();
            return;
        }
        call.response.setContentType(media_type(asset.name));
        call.response.setContentLength(static_cast<std::streamsize>(asset.body.size()));
        auto& out = call.response.send();
        if (call.request.getMethod() != "HEAD")
            out.write(asset.body.data(), static_cast<std::streamsize>(asset.body.size()));
    }

    static void not_allowed(Call& call) {
        call.response.set("Allow", "GET");
        send_problem(call.response, {405, "method-not-allowed", "Method not allowed", "the console is read-only", {}},
                     call.path);
    }

    ConsoleContext& context_;
    AuditSnapshot& audit_;
};

class RouterFactory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    RouterFactory(ConsoleContext& context, AuditSnapshot& audit) : context_(context), audit_(audit) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Router(context_, audit_);
    }

private:
    ConsoleContext& context_;
    AuditSnapshot& audit_;
};

}  // namespace

std::string Call::param(const std::string& name) const {
    for (const auto& [key, value] : query) {
        if (key == name) return value;
    }
    return "";
}

std::string Call::office_scope() const { return auditor() ? param("office") : viewer.office; }

void send_json(Call& call, int status, const std::string& body) {
    call.response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    call.response.setContentType("application/json");
    call.response.setContentLength(static_cast<std::streamsize>(body.size()));
    call.response.send() << body;
}

void send_download(Call& call, const std::string& media_type, const std::string& file_name, const std::string& body) {
    std::string safe = file_name;  // parts of it come from the query: nothing that could end the header
    for (char& ch : safe) {
        if (std::isalnum(static_cast<unsigned char>(ch)) == 0 && ch != '.' && ch != '-' && ch != '_') ch = '_';
    }
    call.response.setContentType(media_type);
    call.response.set("Content-Disposition", "attachment; filename=\"" + safe + "\"");
    call.response.setContentLength(static_cast<std::streamsize>(body.size()));
    call.response.send() << body;
}

void refuse_role(Call& call) {
    send_problem(call.response,
                 {403,
                  "role-forbidden",
                  "Not for this role",
                  "the audit log is for auditors; a supervisor sees the cases and figures of their own office",
                  {}},
                 call.path);
}

void not_found(Call& call, const std::string& what) {
    send_problem(call.response, {404, "not-found", "Not found", what, {}}, call.path);
}

void bad_request(Call& call, const std::string& parameter, const std::string& reason) {
    send_problem(call.response,
                 {400, "invalid-parameter", "Invalid parameter", parameter + ": " + reason, {{parameter, reason}}},
                 call.path);
}

std::optional<std::int64_t> day_start_ms(const std::string& day, bool next_day) {
    std::tm tm{};
    if (day.size() != 10 || strptime(day.c_str(), "%Y-%m-%d", &tm) == nullptr) return std::nullopt;
    const std::int64_t start = static_cast<std::int64_t>(timegm(&tm)) * 1000;
    return next_day ? start + 86400000 : start;
}

bool read_days(Call& call, CaseQuery& query) {
    for (const auto& [name, next_day] : {std::pair{"from", false}, std::pair{"to", true}}) {
        const std::string day = call.param(name);
        if (day.empty()) continue;
        const auto ms = day_start_ms(day, next_day);
        if (!ms) {
            bad_request(call, name, "expected a day as YYYY-MM-DD (UTC)");
            return false;
        }
        (std::string_view(name) == "from" ? query.from_ms : query.to_ms) = *ms;
    }
    return true;
}

ConsoleServer::ConsoleServer(ConsoleContext context)
    : context_(context),
      audit_(std::make_unique<AuditSnapshot>(
          context.config, std::vector<crypto::Certificate>{context.credentials.signer().certificate()})) {}

ConsoleServer::~ConsoleServer() { stop(); }

std::uint16_t ConsoleServer::start() {
    const auto& console = context_.config.console;
    Poco::Net::SecureServerSocket socket(context_.credentials.console_tls());
    try {
        socket.bind(Poco::Net::SocketAddress(console.host, console.port), true, false);
        socket.listen(64);
    } catch (const Poco::Exception& e) {
        throw ConfigError(context_.config.source + ": console.listen: cannot listen on " + console.host + ":" +
                          std::to_string(console.port) + ": " + e.displayText() + " (choose another port)");
    }
    // A browser keeps up to six connections open and each holds a thread while it idles: enough
    // threads for a few people at once, and idle connections let go after two seconds, or a
    // second person's page waits behind the first one's idle sockets.
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(kThreads);
    params->setMaxQueued(64);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(2, 0));
    threads_ = std::make_unique<Poco::ThreadPool>(2, kThreads);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new RouterFactory(context_, *audit_), *threads_, socket, params);
    server_->start();
    return socket.address().port();
}

void ConsoleServer::stop() {
    if (server_) {
        server_->stopAll(false);
        server_.reset();
        threads_->joinAll();
    }
}

}  // namespace vikno::gateway::console
