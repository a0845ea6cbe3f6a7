#pragma once
// A framework for registry simulators: an HTTP server that hands each request to a registry's
// behaviour, injects faults on demand (latency, server errors, malformed answers, dropped
// connections), and records every request and answer to a folder.
//
// A plugin's simulator supplies a Registry (parse, validate, look up, answer) and calls
// run_simulator() from main(). See plugins/civil_registry/simulator/ for a complete one.

#include <vikno/exchange.h>
#include <vikno/signing.h>

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

/// How the simulator signs its answers; anything but `valid` is for testing the gateway's checks.
enum class AnswerSignature {
    Valid,     ///< signed with the registry's key
    None,      ///< not signed at all
    Tampered,  ///< signed, then one byte of the body changed
    Foreign    ///< signed with another key (--foreign-signing-key), its certificate in KeyInfo
};

struct FaultOptions {
    int latency_ms = 0;           ///< added before every answer
    double error_rate = 0.0;      ///< share of requests answered with the registry's server error
    double malformed_rate = 0.0;  ///< share of answers cut in half (not well-formed) before signing
    double drop_rate = 0.0;       ///< share of connections closed without an answer
    AnswerSignature answer_signature = AnswerSignature::Valid;
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
    /// How requests must be signed and how answers are signed (the plugin's profile).
    virtual SignatureProfile signature() const { return SignatureProfile::XmlDsigXRoad; }
    /// The answer to a request whose signature failed `reason`. The default is a SOAP Client fault
    /// for XML-DSig registries and a 401 with `{"errors":[...]}` for the others.
    virtual Response refused(const Request& request, const std::string& reason);
};

/// Command-line options every simulator takes; registry-specific ones land in `extra`.
/// Where the simulator's keys and trusted certificates are (all PEM files).
struct SecurityOptions {
    std::string tls_certificate;              ///< serve HTTPS with this certificate (chain) ...
    std::string tls_key;                      ///< ... and key; plain HTTP when both are empty
    std::string client_ca;                    ///< require client certificates issued by this CA
    std::string signing_certificate;          ///< the registry's answer-signing certificate ...
    std::string signing_key;                  ///< ... and key
    std::string client_signing_certificate;   ///< the gateway's certificate: requests must verify with it
    std::string foreign_signing_certificate;  ///< for AnswerSignature::Foreign
    std::string foreign_signing_key;
};

struct Options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  ///< 0 picks a free port; the ready file and stdout tell which
    std::string record_dir;  ///< when set, every request and answer is written there
    std::string ready_file;  ///< when set, `host:port` is written there once the server listens
    std::uint64_t seed = 1;  ///< for the fault dice, so a run can be repeated
    FaultOptions faults;
    SecurityOptions security;
    std::map<std::string, std::string> extra;  ///< `--name value` options not listed above
};

using RegistryFactory = std::function<std::unique_ptr<Registry>(const Options& options)>;

/// Parses argv, builds the registry (the factory may throw std::exception with a message for the
/// operator), serves until SIGINT or SIGTERM. Returns the process exit code.
int run_simulator(int argc, char** argv, const std::string& name, const std::string& usage_extra,
                  const RegistryFactory& factory);

}  // namespace vikno::sim
