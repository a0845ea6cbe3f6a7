#include <vikno/sim/simulator.h>

#include "message_security.h"
#include "recorder.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

namespace vikno::sim {

namespace {

constexpr std::size_t kMaxRequestBytes = 8U * 1024U * 1024U;

// Thrown inside a handler to make POCO close the connection without writing an answer.
struct DropConnection : Poco::Exception {
    DropConnection() : Poco::Exception("dropped by fault injection") {}
};

class FaultDice {
public:
    FaultDice(std::uint64_t seed, FaultOptions options) : rng_(seed), options_(options) {}

    FaultOptions options() {
        std::lock_guard lock(mutex_);
        return options_;
    }
    void set(const FaultOptions& options) {
        std::lock_guard lock(mutex_);
        options_ = options;
    }
    bool roll(double rate) {
        if (rate <= 0.0) return false;
        std::lock_guard lock(mutex_);
        return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < rate;
    }

private:
    std::mutex mutex_;
    std::mt19937_64 rng_;
    FaultOptions options_;
};

AnswerSignature parse_answer_signature(const std::string& text) {
    if (text == "valid") return AnswerSignature::Valid;
    if (text == "none") return AnswerSignature::None;
    if (text == "tampered") return AnswerSignature::Tampered;
    if (text == "foreign") return AnswerSignature::Foreign;
    throw std::invalid_argument("answer signature must be valid, none, tampered or foreign, got '" + text + "'");
}

FaultOptions faults_from_json(const Poco::JSON::Object::Ptr& json, FaultOptions base) {
    if (json->has("answer_signature")) {
        base.answer_signature = parse_answer_signature(json->getValue<std::string>("answer_signature"));
    }
    base.latency_ms = json->optValue<int>("latency_ms", base.latency_ms);
    base.error_rate = json->optValue<double>("error_rate", base.error_rate);
    base.malformed_rate = json->optValue<double>("malformed_rate", base.malformed_rate);
    base.drop_rate = json->optValue<double>("drop_rate", base.drop_rate);
    return base;
}

void send(Poco::Net::HTTPServerResponse& out, const Response& response) {
    out.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
    if (!response.content_type.empty()) out.setContentType(response.content_type);
    for (const auto& [name, value] : response.headers) out.set(name, value);
    out.setContentLength(static_cast<std::streamsize>(response.body.size()));
    out.send() << response.body;
}

class Handler : public Poco::Net::HTTPRequestHandler {
public:
    Handler(Registry& registry, FaultDice& dice, Recorder& recorder, const MessageSecurity& security,
            const std::string& scheme)
        : registry_(registry), dice_(dice), recorder_(recorder), security_(security), scheme_(scheme) {}

    void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
        Request request;
        request.method = in.getMethod();
        request.target = in.getURI();
        for (const auto& [name, value] : in) request.headers.emplace_back(name, value);
        std::string body;
        Poco::StreamCopier::copyToString(in.stream(), body, 8192);
        if (body.size() > kMaxRequestBytes) {
            send(out, {413, "text/plain", {}, "request too large\n"});
            return;
        }
        request.body = std::move(body);

        if (request.target.rfind("/__sim/", 0) == 0) {
            control(request, out);
            return;
        }

        const FaultOptions faults = dice_.options();
        if (faults.latency_ms > 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(faults.latency_ms));
        }
        Annotation annotation;
        if (dice_.roll(faults.drop_rate)) {
            annotation.message_id = registry_.message_id(request);
            recorder_.record(request, nullptr, annotation, "drop");
            throw DropConnection();
        }
        if (dice_.roll(faults.error_rate)) {
            annotation.message_id = registry_.message_id(request);
            Response response = registry_.server_error(request);
            security_.sign_answer(request, response, faults.answer_signature);
            recorder_.record(request, &response, annotation, "error");
            send(out, response);
            return;
        }
        // A registry reads nothing of a request whose signature fails.
        Response response;
        if (const std::string refusal = security_.check_request(request, scheme_); !refusal.empty()) {
            annotation.message_id = registry_.message_id(request);
            annotation.outcome = "signature_rejected";
            response = registry_.refused(request, refusal);
        } else {
            response = registry_.handle(request, annotation);
        }
        std::string fault = faults.answer_signature == AnswerSignature::Valid ? "none" : "answer_signature";
        // A malformed answer is the registry's own fault: it is cut before the registry signs it (an
        // XML document cut in half cannot be signed and goes out unsigned). Cutting after signing
        // would be tampering in transit, which --answer-signature tampered simulates.
        if (dice_.roll(faults.malformed_rate)) {
            response.body.resize(response.body.size() / 2);
            fault = "malformed";
        }
        security_.sign_answer(request, response, faults.answer_signature);
        recorder_.record(request, &response, annotation, fault);
        send(out, response);
    }

private:
    // GET /__sim/health; PUT /__sim/faults {"latency_ms":..,"error_rate":..,"malformed_rate":..,"drop_rate":..}
    void control(const Request& request, Poco::Net::HTTPServerResponse& out) {
        if (request.target == "/__sim/health") {
            send(out, {200, "application/json", {}, R"({"status":"ok"})"});
            return;
        }
        if (request.target == "/__sim/faults" && request.method == "PUT") {
            try {
                Poco::JSON::Parser parser;
                auto json = parser.parse(request.body).extract<Poco::JSON::Object::Ptr>();
                dice_.set(faults_from_json(json, dice_.options()));
                send(out, {204, "", {}, ""});
            } catch (const Poco::Exception& e) {
                send(out, {400, "text/plain", {}, "bad fault settings: " + e.displayText() + "\n"});
            }
            return;
        }
        send(out, {404, "text/plain", {}, "unknown control endpoint\n"});
    }

    Registry& registry_;
    FaultDice& dice_;
    Recorder& recorder_;
    const MessageSecurity& security_;
    std::string scheme_;
};

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    HandlerFactory(Registry& registry, FaultDice& dice, Recorder& recorder, const MessageSecurity& security,
                   std::string scheme)
        : registry_(registry), dice_(dice), recorder_(recorder), security_(security), scheme_(std::move(scheme)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler(registry_, dice_, recorder_, security_, scheme_);
    }

private:
    Registry& registry_;
    FaultDice& dice_;
    Recorder& recorder_;
    const MessageSecurity& security_;
    std::string scheme_;
};

void usage(const std::string& name, const std::string& usage_extra) {
    std::cout << "usage: " << name << " [options]\n"
              << "  --host ADDR            address to listen on (default 127.0.0.1)\n"
              << "  --port N               port (default 0: pick a free one and print it)\n"
              << "  --record DIR           write every request and answer to DIR\n"
              << "  --ready-file FILE      write host:port to FILE once listening\n"
              << "  --latency-ms N         delay every answer by N ms\n"
              << "  --error-rate R         answer a share R (0..1) of requests with a server error\n"
              << "  --malformed-rate R     cut a share R of answers in half\n"
              << "  --drop-rate R          close a share R of connections without an answer\n"
              << "  --seed N               seed for the fault dice (default 1)\n"
              << "  --answer-signature M   valid (default), none, tampered or foreign\n"
              << "  --tls-cert FILE --tls-key FILE       serve HTTPS (plain HTTP without them)\n"
              << "  --client-ca FILE       require client certificates issued by this CA\n"
              << "  --signing-cert FILE --signing-key FILE   the registry's answer-signing key\n"
              << "  --client-signing-cert FILE             the gateway's certificate; requests must verify\n"
              << "  --foreign-signing-cert FILE --foreign-signing-key FILE   for --answer-signature foreign\n"
              << usage_extra << "At run time: GET /__sim/health, PUT /__sim/faults with JSON fault settings.\n";
}

// A number from an option's value; the error names the option instead of std::sto*'s "stoi".
template <typename Number, typename Convert>
Number number(const std::string& option, const std::string& value, Convert convert) {
    try {
        std::size_t used = 0;
        const auto parsed = convert(value, &used);
        if (used == value.size()) return static_cast<Number>(parsed);
    } catch (const std::exception&) {}
    throw std::invalid_argument(option + " needs a number, got '" + value + "'");
}

int whole(const std::string& option, const std::string& value) {
    return number<int>(option, value, [](const std::string& v, std::size_t* used) { return std::stoi(v, used); });
}

double parse_rate(const std::string& option, const std::string& value) {
    const auto rate =
        number<double>(option, value, [](const std::string& v, std::size_t* used) { return std::stod(v, used); });
    if (rate < 0.0 || rate > 1.0) throw std::invalid_argument(option + " must be between 0 and 1, got " + value);
    return rate;
}

Options parse_options(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument '" + arg + "'");
        if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
        const std::string value = argv[++i];
        if (arg == "--host")
            options.host = value;
        else if (arg == "--port") {
            const int port = whole(arg, value);
            if (port < 0 || port > 65535) throw std::invalid_argument("--port must be from 0 to 65535, got " + value);
            options.port = static_cast<std::uint16_t>(port);
        } else if (arg == "--record")
            options.record_dir = value;
        else if (arg == "--ready-file")
            options.ready_file = value;
        else if (arg == "--latency-ms")
            options.faults.latency_ms = whole(arg, value);
        else if (arg == "--error-rate")
            options.faults.error_rate = parse_rate(arg, value);
        else if (arg == "--malformed-rate")
            options.faults.malformed_rate = parse_rate(arg, value);
        else if (arg == "--drop-rate")
            options.faults.drop_rate = parse_rate(arg, value);
        else if (arg == "--seed")
            options.seed = static_cast<std::uint64_t>(whole(arg, value));
        else if (arg == "--answer-signature")
            options.faults.answer_signature = parse_answer_signature(value);
        else if (arg == "--tls-cert")
            options.security.tls_certificate = value;
        else if (arg == "--tls-key")
            options.security.tls_key = value;
        else if (arg == "--client-ca")
            options.security.client_ca = value;
        else if (arg == "--signing-cert")
            options.security.signing_certificate = value;
        else if (arg == "--signing-key")
            options.security.signing_key = value;
        else if (arg == "--client-signing-cert")
            options.security.client_signing_certificate = value;
        else if (arg == "--foreign-signing-cert")
            options.security.foreign_signing_certificate = value;
        else if (arg == "--foreign-signing-key")
            options.security.foreign_signing_key = value;
        else
            options.extra[arg.substr(2)] = value;
    }
    return options;
}

// HTTPS when a TLS certificate is given (client certificates required when a client CA is).
Poco::Net::ServerSocket listening_socket(const SecurityOptions& security) {
    if (security.tls_certificate.empty() && security.tls_key.empty()) return Poco::Net::ServerSocket();
    if (security.tls_certificate.empty() || security.tls_key.empty()) {
        throw std::invalid_argument("--tls-cert and --tls-key go together");
    }
    Poco::Net::initializeSSL();
    Poco::Net::Context::Params params;
    params.certificateFile = security.tls_certificate;
    params.privateKeyFile = security.tls_key;
    params.caLocation = security.client_ca;
    params.verificationMode =
        security.client_ca.empty() ? Poco::Net::Context::VERIFY_NONE : Poco::Net::Context::VERIFY_STRICT;
    params.loadDefaultCAs = false;
    try {
        return Poco::Net::SecureServerSocket(new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params));
    } catch (const Poco::Exception& e) {
        throw std::invalid_argument("cannot use --tls-cert " + security.tls_certificate + " / --tls-key " +
                                    security.tls_key + ": " + e.displayText());
    }
}

void write_ready_file(const std::string& path, const std::string& address) {
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << address << '\n';
    }
    std::rename(temporary.c_str(), path.c_str());  // readers never see a half-written file
}

}  // namespace

int run_simulator(int argc, char** argv, const std::string& name, const std::string& usage_extra,
                  const RegistryFactory& factory) {
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") {
            usage(name, usage_extra);
            return 0;
        }
    }
    // Block the stop signals in every thread; the main thread waits for them below.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    Options options;
    std::unique_ptr<Registry> registry;
    std::unique_ptr<MessageSecurity> security;
    Poco::Net::ServerSocket socket;
    try {
        options = parse_options(argc, argv);
        registry = factory(options);
        security = std::make_unique<MessageSecurity>(options.security, registry->signature());
        socket = listening_socket(options.security);
    } catch (const std::exception& e) {
        std::cerr << name << ": " << e.what() << " (see --help)\n";
        return 2;
    }

    FaultDice dice(options.seed, options.faults);
    Recorder recorder(options.record_dir);
    try {
        // SO_REUSEADDR for quick restarts, never SO_REUSEPORT: a second process must not share the port.
        socket.bind(Poco::Net::SocketAddress(options.host, options.port), true, false);
        socket.listen(128);
    } catch (const Poco::Exception& e) {
        std::cerr << name << ": cannot listen on " << options.host << ":" << options.port << ": " << e.displayText()
                  << " (is another simulator running? stop it or choose another --port)\n";
        return 2;
    }
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(64);
    params->setMaxQueued(256);
    params->setKeepAlive(true);
    const std::string scheme = options.security.tls_certificate.empty() ? "http" : "https";
    Poco::Net::HTTPServer server(new HandlerFactory(*registry, dice, recorder, *security, scheme), socket, params);
    server.start();

    const std::string address = options.host + ":" + std::to_string(socket.address().port());
    std::cout << name << " ready on " << scheme << "://" << address << std::endl;
    if (!options.ready_file.empty()) write_ready_file(options.ready_file, address);

    int received = 0;
    sigwait(&signals, &received);
    server.stopAll(true);
    std::cout << name << " stopped" << std::endl;
    return 0;
}

}  // namespace vikno::sim
