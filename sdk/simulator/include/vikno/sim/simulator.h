#pragma once
// A framework for registry simulators: an HTTP server that hands each request to a registry's
// behaviour, injects faults on demand (latency, server errors, malformed answers, dropped
// connections), and records every request and answer to a folder.
//
// A plugin's simulator supplies a Registry (parse, validate, look up, answer) and calls
// run_simulator() from main(). See plugins/civil_registry/simulator/ for a complete one.

#include <vikno/exchange.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace vikno::sim {

struct Request {
    std::string method;
    std::string target;  ///< path and query as received
    Headers headers;
    std::string body;

    std::string header(std::string_view name) const { return find_header(headers, name); }
};

struct Response {
    int status = 200;
    std::string content_type;
    Headers headers;
    std::string body;
};

/// What the registry tells the recorder about one request (no effect on the answer).
struct Annotation {
    std::string message_id;  ///< the X-Road id or equivalent, when the request carried one
    std::string outcome;     ///< e.g. `found`, `not_found`, `invalid`
    bool replay = false;     ///< answered from the deduplication cache (same message id seen before)
};

struct FaultOptions {
    int latency_ms = 0;           ///< added before every answer
    double error_rate = 0.0;      ///< share of requests answered with the registry's server error
    double malformed_rate = 0.0;  ///< share of answers cut in half (not well-formed)
    double drop_rate = 0.0;       ///< share of connections closed without an answer
};

/// One registry's behaviour. `handle` is called from several threads at once.
class Registry {
public:
    virtual ~Registry() = default;
    virtual Response handle(const Request& request, Annotation& annotation) = 0;
    /// How this registry answers when it is failing (a SOAP Server fault, a 503 with a JSON error...).
    virtual Response server_error(const Request& request) = 0;
    /// The request's message id for the record when a fault is injected before `handle` runs.
    virtual std::string message_id(const Request& /*request*/) { return {}; }
};

/// Command-line options every simulator takes; registry-specific ones land in `extra`.
struct Options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  ///< 0 picks a free port; the ready file and stdout tell which
    std::string record_dir;  ///< when set, every request and answer is written there
    std::string ready_file;  ///< when set, `host:port` is written there once the server listens
    std::uint64_t seed = 1;  ///< for the fault dice, so a run can be repeated
    FaultOptions faults;
    std::map<std::string, std::string> extra;  ///< `--name value` options not listed above
};

using RegistryFactory = std::function<std::unique_ptr<Registry>(const Options& options)>;

/// Parses argv, builds the registry (the factory may throw std::exception with a message for the
/// operator), serves until SIGINT or SIGTERM. Returns the process exit code.
int run_simulator(int argc, char** argv, const std::string& name, const std::string& usage_extra,
                  const RegistryFactory& factory);

}  // namespace vikno::sim
