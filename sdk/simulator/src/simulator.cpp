#include <vikno/sim/simulator.h>

#include "recorder.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
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

FaultOptions faults_from_json(const Poco::JSON::Object::Ptr& json, FaultOptions base) {
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
    Handler(Registry& registry, FaultDice& dice, Recorder& recorder)
        : registry_(registry), dice_(dice), recorder_(recorder) {}

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
            const Response response = registry_.server_error(request);
            recorder_.record(request, &response, annotation, "error");
            send(out, response);
            return;
        }
        Response response = registry_.handle(request, annotation);
        std::string fault = "none";
        if (dice_.roll(faults.malformed_rate)) {
            response.body.resize(response.body.size() / 2);
            fault = "malformed";
        }
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
};

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    HandlerFactory(Registry& registry, FaultDice& dice, Recorder& recorder)
        : registry_(registry), dice_(dice), recorder_(recorder) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Handler(registry_, dice_, recorder_);
    }

private:
    Registry& registry_;
    FaultDice& dice_;
    Recorder& recorder_;
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
              << usage_extra << "At run time: GET /__sim/health, PUT /__sim/faults with JSON fault settings.\n";
}

// A number from an option's value; the error names the option instead of std::sto*'s "stoi".
template <typename Number, typename Convert>
Number number(const std::string& option, const std::string& value, Convert convert) {
    try {
        std::size_t used = 0;
        const auto parsed = convert(value, &used);
        if (used == value.size()) return static_cast<Number>(parsed);
    } catch (const std::exception&) {
    }
    throw std::invalid_argument(option + " needs a number, got '" + value + "'");
}

int whole(const std::string& option, const std::string& value) {
    return number<int>(option, value, [](const std::string& v, std::size_t* used) { return std::stoi(v, used); });
}

double parse_rate(const std::string& option, const std::string& value) {
    const auto rate = number<double>(option, value, [](const std::string& v, std::size_t* used) { return std::stod(v, used); });
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
        if (arg == "--host") options.host = value;
        else if (arg == "--port") {
            const int port = whole(arg, value);
            if (port < 0 || port > 65535) throw std::invalid_argument("--port must be from 0 to 65535, got " + value);
            options.port = static_cast<std::uint16_t>(port);
        }
        else if (arg == "--record") options.record_dir = value;
        else if (arg == "--ready-file") options.ready_file = value;
        else if (arg == "--latency-ms") options.faults.latency_ms = whole(arg, value);
        else if (arg == "--error-rate") options.faults.error_rate = parse_rate(arg, value);
        else if (arg == "--malformed-rate") options.faults.malformed_rate = parse_rate(arg, value);
        else if (arg == "--drop-rate") options.faults.drop_rate = parse_rate(arg, value);
        else if (arg == "--seed") options.seed = static_cast<std::uint64_t>(whole(arg, value));
        else options.extra[arg.substr(2)] = value;
    }
    return options;
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
    try {
        options = parse_options(argc, argv);
        registry = factory(options);
    } catch (const std::exception& e) {
        std::cerr << name << ": " << e.what() << " (see --help)\n";
        return 2;
    }

    FaultDice dice(options.seed, options.faults);
    Recorder recorder(options.record_dir);
    Poco::Net::ServerSocket socket;
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
    Poco::Net::HTTPServer server(new HandlerFactory(*registry, dice, recorder), socket, params);
    server.start();

    const std::string address = options.host + ":" + std::to_string(socket.address().port());
    std::cout << name << " ready on http://" << address << std::endl;
    if (!options.ready_file.empty()) write_ready_file(options.ready_file, address);

    int received = 0;
    sigwait(&signals, &received);
    server.stopAll(true);
    std::cout << name << " stopped" << std::endl;
    return 0;
}

}  // namespace vikno::sim
