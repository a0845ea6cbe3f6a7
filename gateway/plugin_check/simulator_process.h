#pragma once
// A registry simulator started for the conformance kit: its own process, the development PKI's
// certificates for the registry, a free port, readiness read from its ready file, and a stop that
// always reaps it.

#include <string>
#include <vector>

namespace vikno::gateway::plugin_check {

struct SimulatorCommand {
    std::string program;             ///< the simulator, e.g. build/vikno-sim-passport_check
    std::string pki;                 ///< the development PKI (vikno-dev-pki --registry NAME DIR)
    std::string registry;            ///< the plugin's name: NAME-tls.crt, NAME-signing.crt in `pki`
    std::string scratch;             ///< where its ready file and records go
    std::vector<std::string> extra;  ///< more arguments it needs, e.g. Diia's --callback-url
};

class SimulatorProcess {
public:
    /// Starts `command` with `faults` (the simulator's own flags, e.g. --error-rate 1) and waits
    /// until it listens. Throws std::runtime_error with its output when it exits or does not start.
    SimulatorProcess(const SimulatorCommand& command, const std::vector<std::string>& faults);
    ~SimulatorProcess();
    SimulatorProcess(const SimulatorProcess&) = delete;
    SimulatorProcess& operator=(const SimulatorProcess&) = delete;

    /// https://127.0.0.1:PORT/
    const std::string& endpoint() const { return endpoint_; }

private:
    void stop();

    int pid_ = -1;
    std::string endpoint_;
};

}  // namespace vikno::gateway::plugin_check
