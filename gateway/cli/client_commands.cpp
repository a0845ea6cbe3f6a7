// `vikno submit`, `vikno status` and `vikno cancel`: a terminal client for the gateway the config file
// describes.

#include "cli/commands.h"
#include "common/ids.h"
#include "config/config.h"
#include "signing/credentials.h"

#include <vikno/case.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace vikno::gateway::cli {
namespace {

using Poco::JSON::Object;

struct Options {
    std::string positional;
    std::string config = default_config_path();
    std::string key;
    std::string certificate;  ///< the office's client certificate; default: the config's client section
    std::string private_key;
    bool wait = false;
    bool json = false;
};

struct Reply {
    int status = 0;
    std::string body;
};

class UsageError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};
class ConnectionError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

Options parse(const std::vector<std::string>& args, const char* usage) {
    Options options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& arg = args[i];
        if (arg == "--config" && i + 1 < args.size())
            options.config = args[++i];
        else if (arg == "--key" && i + 1 < args.size())
            options.key = args[++i];
        else if (arg == "--cert" && i + 1 < args.size())
            options.certificate = args[++i];
        else if (arg == "--cert-key" && i + 1 < args.size())
            options.private_key = args[++i];
        else if (arg == "--wait")
            options.wait = true;
        else if (arg == "--json")
            options.json = true;
        else if (options.positional.empty() && arg.rfind("--", 0) != 0)
            options.positional = arg;
        else
            throw UsageError(std::string("unexpected argument '") + arg + "' (usage: " + usage + ")");
    }
    if (options.positional.empty()) throw UsageError(std::string("usage: ") + usage);
    return options;
}

// The office identity to present: --cert/--cert-key, else the config's client section.
KeyPairConfig identity(const Config& config, const Options& options) {
    KeyPairConfig pair = config.client.identity;
    if (!options.certificate.empty()) pair = {options.certificate, options.private_key};
    if (pair.certificate.empty() || pair.key.empty()) {
        throw UsageError(
            "no office certificate: give --cert FILE --cert-key FILE or set client.certificate and "
            "client.key in " +
            config.source);
    }
    return pair;
}

Reply call(const Config& config, const Options& options, const std::string& method, const std::string& path,
           const std::string& body = "", const std::string& key = "") {
    // A gateway listening on every interface is reached through loopback.
    const std::string host = config.server.host == "0.0.0.0" ? "127.0.0.1" : config.server.host;
    const KeyPairConfig office = identity(config, options);
    try {
        Poco::Net::HTTPSClientSession session(host, config.server.port, tls_client_context(config.client.ca, office));
        session.setTimeout(Poco::Timespan(30, 0));
        Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
        if (!body.empty()) {
            request.setContentType("application/json");
            request.setContentLength(static_cast<std::streamsize>(body.size()));
        }
        if (!key.empty()) request.set("Idempotency-Key", key);
        session.sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::istream& in = session.receiveResponse(response);
        Reply reply;
        reply.status = response.getStatus();
        Poco::StreamCopier::copyToString(in, reply.body);
        return reply;
    } catch (const Poco::Exception& e) {
        throw ConnectionError("cannot reach the gateway at " + host + ":" + std::to_string(config.server.port) +
                              " (from " + config.source + "): " + e.displayText() + "; is 'make run' running?");
    }
}

Object::Ptr parse_json(const std::string& body) {
    try {
        Poco::JSON::Parser parser;
        return parser.parse(body).extract<Object::Ptr>();
    } catch (const std::exception&) {
        return new Object;
    }
}

void print_problem(const std::string& body) {
    const auto problem = parse_json(body);
    std::cerr << "refused: " << problem->optValue<std::string>("title", "error") << "\n";
    if (problem->has("detail")) std::cerr << "  " << problem->getValue<std::string>("detail") << "\n";
    if (auto errors = problem->getArray("errors")) {
        for (std::size_t i = 0; i < errors->size(); ++i) {
            const auto error = errors->getObject(static_cast<unsigned>(i));
            std::cerr << "  " << error->optValue<std::string>("field", "") << ": "
                      << error->optValue<std::string>("reason", "") << "\n";
        }
    }
}

void print_case(const Object::Ptr& c) {
    std::cout << "case     " << c->optValue<std::string>("id", "") << "\n"
              << "service  " << c->optValue<std::string>("service", "") << "\n"
              << "status   " << c->optValue<std::string>("status", "") << "\n";
    if (auto history = c->getArray("history")) {
        std::cout << "history\n";
        for (std::size_t i = 0; i < history->size(); ++i) {
            const auto step = history->getObject(static_cast<unsigned>(i));
            std::cout << "  " << step->optValue<std::string>("at", "") << "  "
                      << step->optValue<std::string>("status", "");
            if (step->has("note")) std::cout << "  (" << step->getValue<std::string>("note") << ")";
            std::cout << "\n";
        }
    }
    if (auto steps = c->getArray("steps")) {
        std::cout << "steps\n";
        for (std::size_t i = 0; i < steps->size(); ++i) {
            const auto step = steps->getObject(static_cast<unsigned>(i));
            std::cout << "  " << step->optValue<std::string>("id", "") << "  "
                      << step->optValue<std::string>("service", "") << "  "
                      << step->optValue<std::string>("status", "");
            if (step->optValue<bool>("optional", false)) std::cout << "  (optional)";
            if (step->has("case_id")) std::cout << "  case " << step->getValue<std::string>("case_id");
            if (step->has("reason")) std::cout << "  (" << step->getValue<std::string>("reason") << ")";
            std::cout << "\n";
        }
    }
    if (auto outcome = c->getObject("outcome")) {
        std::cout << "outcome\n"
                  << "  uk  " << outcome->optValue<std::string>("message_uk", "") << "\n"
                  << "  en  " << outcome->optValue<std::string>("message_en", "") << "\n";
        if (const auto reference = outcome->optValue<std::string>("registry_reference", ""); !reference.empty()) {
            std::cout << "  registry reference  " << reference << "\n";
        }
        if (auto document = outcome->getObject("document")) {
            std::ostringstream text;
            document->stringify(text, 2);
            std::cout << "  document\n" << text.str() << "\n";
        }
    }
}

bool is_final_status(const std::string& status) {
    const auto parsed = parse_case_status(status);
    return parsed && is_final(*parsed);
}

int show(const Config& config, const Options& options, const std::string& id, bool json) {
    const Reply reply = call(config, options, "GET", "/v1/cases/" + id);
    if (reply.status != 200) {
        print_problem(reply.body);
        return 1;
    }
    if (json) {
        std::cout << reply.body << "\n";
    } else {
        print_case(parse_json(reply.body));
    }
    const auto status = parse_json(reply.body)->optValue<std::string>("status", "");
    return status == "failed" || status == "rejected" ? 1 : 0;
}

template <typename Body>
int guarded(const char* command, Body body) {
    try {
        return body();
    } catch (const UsageError& e) {
        std::cerr << "vikno " << command << ": " << e.what() << "\n";
        return 2;
    } catch (const ConfigError& e) {
        std::cerr << "vikno " << command << ": configuration error: " << e.what() << "\n";
        return 2;
    } catch (const ConnectionError& e) {
        std::cerr << "vikno " << command << ": " << e.what() << "\n";
        return 3;
    } catch (const Poco::Exception& e) {
        std::cerr << "vikno " << command << ": cannot use the client certificate: " << e.displayText() << "\n";
        return 2;
    }
}

}  // namespace

int submit(const std::vector<std::string>& args) {
    return guarded("submit", [&] {
        const Options options = parse(
            args, "vikno submit FILE [--config FILE] [--key KEY] [--cert FILE --cert-key FILE] [--wait] [--json]");
        std::ifstream in(options.positional, std::ios::binary);
        if (!in) throw UsageError("cannot read case file " + options.positional);
        std::stringstream text;
        text << in.rdbuf();
        const std::string body = text.str();
        const Config config = load_config(options.config);
        // Without --key, the file's content is the key: submitting the same file twice is one case.
        const std::string key = options.key.empty() ? "file-" + sha256_hex(body).substr(0, 32) : options.key;
        const Reply reply = call(config, options, "POST", "/v1/cases", body, key);
        if (reply.status != 202) {
            print_problem(reply.body);
            return 1;
        }
        const auto accepted = parse_json(reply.body);
        const std::string id = accepted->optValue<std::string>("id", "");
        if (!options.wait) {
            if (options.json) {
                std::cout << reply.body << "\n";
            } else {
                std::cout << "accepted case " << id << " (" << accepted->optValue<std::string>("status", "") << ")\n"
                          << "follow it with: vikno status " << id << "\n";
            }
            return 0;
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        while (std::chrono::steady_clock::now() < deadline) {
            const Reply current = call(config, options, "GET", "/v1/cases/" + id);
            if (current.status == 200 &&
                is_final_status(parse_json(current.body)->optValue<std::string>("status", ""))) {
                return show(config, options, id, options.json);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        std::cerr << "case " << id << " is not final after 120 s; follow it with: vikno status " << id << "\n";
        return 1;
    });
}

int status(const std::vector<std::string>& args) {
    return guarded("status", [&] {
        const Options options = parse(args, "vikno status ID [--config FILE] [--cert FILE --cert-key FILE] [--json]");
        return show(load_config(options.config), options, options.positional, options.json);
    });
}

int cancel(const std::vector<std::string>& args) {
    return guarded("cancel", [&] {
        const Options options = parse(args, "vikno cancel ID [--config FILE] [--cert FILE --cert-key FILE]");
        const Reply reply =
            call(load_config(options.config), options, "POST", "/v1/cases/" + options.positional + "/cancel");
        if (reply.status != 200 && reply.status != 202) {
            print_problem(reply.body);
            return 1;
        }
        const auto answer = parse_json(reply.body);
        std::cout << "case " << options.positional << ": " << answer->optValue<std::string>("status", "") << "\n";
        if (reply.status == 202) std::cout << "follow it with: vikno status " << options.positional << "\n";
        return 0;
    });
}

}  // namespace vikno::gateway::cli
