#pragma once
// The conformance battery every registry plugin must pass (docs/plugin-guide.md, "The conformance
// kit"): a fake host that drives the plugin as the gateway does, against the plugin's own simulator
// with signing on, and then against every fault the simulator can play and every hostile answer.

#include "plugin_check/simulator_process.h"

#include <vikno/case.h>
#include <vikno/plugin.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vikno::gateway::plugin_check {

struct Sample {
    std::string file;
    Case c;
};

struct Verdicts {
    int passed = 0;
    int failed = 0;
};

/// One line of the report: "ok   WHAT" or "FAIL WHAT: WHY".
using Report = std::function<void(bool ok, const std::string& what, const std::string& why)>;

class Battery {
public:
    Battery(std::shared_ptr<RegistryPlugin> plugin, SimulatorCommand simulator, Report report);

    /// Each sample is valid, translates the same way twice, and ends Completed (or awaits a
    /// callback) through the simulator.
    void samples(const std::vector<Sample>& samples);
    /// The simulator slow, failing, malformed, dropping, unsigned, tampered and foreign-signed:
    /// never Completed, never a crash.
    void faults(const Sample& sample);
    /// Answers no registry should send, given to interpret() as if verified, each in a child
    /// process: never Completed, never a crash. Made from the registry's real answer to a sample
    /// (its headers kept, its body mutated) when one completed; `fallback` otherwise.
    void hostile_answers(const Sample& fallback);
    /// No reason written anywhere above holds the applicant's personal data.
    void personal_data(const std::vector<Sample>& samples);

private:
    struct Run {
        std::string end;  ///< completed, rejected, failed, retry, awaiting, or what went wrong
        std::vector<std::string> reasons;
        std::optional<RegistryAnswer> first_answer;  ///< the verified answer to the first request
    };
    /// The case through the simulator at `endpoint`, request after request, as the dispatcher does.
    Run drive(const Case& c, const ExchangeContext& context, const std::string& endpoint, int request_timeout_ms);
    /// drive() in a child process: its end, its first answer (encoded, or empty), then its
    /// reasons; a crash is the end.
    std::vector<std::string> drive_in_child(const Case& c, const ExchangeContext& context, const std::string& endpoint,
                                            int request_timeout_ms);

    struct Real {
        const Sample* sample;
        ExchangeContext context;
        RegistryAnswer answer;
    };
    std::optional<Real> real_;  ///< the first sample's real exchange, for hostile answers made from it

    std::shared_ptr<RegistryPlugin> plugin_;
    PluginDescriptor descriptor_;
    SimulatorCommand simulator_;
    Report report_;
    std::vector<std::string> reasons_;  ///< every reason seen, for the personal-data check
};

}  // namespace vikno::gateway::plugin_check
