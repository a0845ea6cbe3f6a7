// vikno-plugin-check: the conformance kit for registry plugins (docs/plugin-guide.md, "The
// conformance kit"). Loads the library as the gateway does, drives every sample through the
// plugin's own simulator with signing on, then the simulator's faults and hostile answers, and
// prints a report; the exit status is 1 when a check failed, 2 when the kit could not run.

#include "plugin_check/battery.h"
#include "plugin_host/plugin_host.h"

#include <vikno/case_json.h>

#include <Poco/Net/SSLManager.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace vikno;
using namespace vikno::gateway;
using namespace vikno::gateway::plugin_check;

namespace {

constexpr const char* kUsage =
    R"(usage: vikno-plugin-check LIB.so --simulator PROGRAM --pki DIR --samples PATH [options]

  LIB.so              the plugin library, loaded as the gateway loads it
  --simulator PROGRAM the plugin's registry simulator (started with --port 0 and the PKI's
                      certificates for the plugin's name, once per check)
  --pki DIR           a development PKI with the plugin's certificates (vikno-dev-pki --registry NAME DIR)
  --samples PATH      a sample case (.json) or a folder of them; those of the plugin's services are used
  --setting KEY=VALUE a plugin setting (plugins.load[].settings), repeatable
  --simulator-arg ARG one more argument for every start of the simulator, repeatable
  --scratch DIR       where the simulators' records go (default: a new folder in /tmp)
)";

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

int main(int argc, char** argv) {
    std::string library;
    SimulatorCommand simulator;
    std::vector<std::string> sample_paths;
    PluginSettings settings;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "vikno-plugin-check: " << arg << " needs a value\n" << kUsage;
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        } else if (arg == "--simulator") {
            simulator.program = value();
        } else if (arg == "--pki") {
            simulator.pki = value();
        } else if (arg == "--samples") {
            sample_paths.push_back(value());
        } else if (arg == "--simulator-arg") {
            simulator.extra.push_back(value());
        } else if (arg == "--scratch") {
            simulator.scratch = value();
        } else if (arg == "--setting") {
            const std::string pair = value();
            const auto eq = pair.find('=');
            if (eq == std::string::npos) {
                std::cerr << "vikno-plugin-check: --setting " << pair << ": expected KEY=VALUE\n";
                return 2;
            }
            settings[pair.substr(0, eq)] = pair.substr(eq + 1);
        } else if (arg.rfind("--", 0) == 0 || !library.empty()) {
            std::cerr << "vikno-plugin-check: unexpected argument " << arg << "\n" << kUsage;
            return 2;
        } else {
            library = arg;
        }
    }
    if (library.empty() || simulator.program.empty() || simulator.pki.empty() || sample_paths.empty()) {
        std::cerr << kUsage;
        return 2;
    }
    if (simulator.scratch.empty()) {
        char folder[] = "/tmp/vikno-plugin-check-XXXXXX";
        if (mkdtemp(folder) == nullptr) return 2;
        simulator.scratch = folder;
    }
    Poco::Net::initializeSSL();

    int passed = 0;
    int failed = 0;
    const Report report = [&](bool ok, const std::string& what, const std::string& why) {
        std::cout << (ok ? "ok   " : "FAIL ") << what << (ok || why.empty() ? "" : ": " + why) << "\n" << std::flush;
        ++(ok ? passed : failed);
    };

    std::shared_ptr<RegistryPlugin> plugin;
    try {
        plugin = load_plugin_library(library);
    } catch (const PluginLoadError& e) {
        report(false, "loads as the gateway loads it", e.what());
        return 1;
    }
    const PluginDescriptor descriptor = plugin->describe();
    simulator.registry = descriptor.name;
    std::cout << "vikno-plugin-check: " << descriptor.name << " " << descriptor.version << " (" << library << ")\n";
    report(true, "loads as the gateway loads it (plugin interface version " + std::to_string(kPluginApiVersion) + ")",
           "");
    const auto configured = plugin->configure(settings);
    report(configured.ok(), "accepts its settings", configured ? "" : configured.error().message);
    report(!descriptor.services.empty(), "offers at least one service", "its descriptor lists none");

    std::vector<Sample> samples;
    for (const auto& path : sample_paths) {
        std::vector<std::string> files;
        if (std::filesystem::is_directory(path)) {
            for (const auto& entry : std::filesystem::directory_iterator(path)) {
                if (entry.path().extension() == ".json") files.push_back(entry.path().string());
            }
            std::sort(files.begin(), files.end());
        } else {
            files.push_back(path);
        }
        for (const auto& file : files) {
            auto parsed = parse_submitted_case(read_file(file));
            if (!parsed) continue;  // not a case this kit can read: another registry's or a situation's
            Case c = std::move(parsed).value();
            const bool ours = std::any_of(descriptor.services.begin(), descriptor.services.end(),
                                          [&](const ServiceDescriptor& s) { return s.code == c.service; });
            if (!ours) continue;
            c.id = "check-" + std::filesystem::path(file).stem().string();
            samples.push_back({std::filesystem::path(file).filename().string(), std::move(c)});
        }
    }
    report(!samples.empty(), "has a sample case for its services", "no sample in --samples names one of them");
    if (samples.empty() || !configured) return 1;

    try {
        Battery battery(plugin, simulator, report);
        battery.samples(samples);
        battery.faults(samples.front());
        battery.hostile_answers(samples.front());
        battery.personal_data(samples);
    } catch (const std::exception& e) {
        report(false, "the battery ran to its end", e.what());
    }
    std::cout << "vikno-plugin-check: " << descriptor.name << ": " << passed << " passed, " << failed << " failed\n";
    return failed == 0 ? 0 : 1;
}
