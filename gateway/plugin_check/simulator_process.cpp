#include "plugin_check/simulator_process.h"

#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace vikno::gateway::plugin_check {
namespace {

std::string read_all(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

SimulatorProcess::SimulatorProcess(const SimulatorCommand& command, const std::vector<std::string>& faults) {
    static int started = 0;
    const std::string stem = command.scratch + "/sim-" + std::to_string(++started);
    const std::string ready = stem + ".ready";
    const std::string log = stem + ".log";
    const std::string& p = command.pki;
    const std::string& r = command.registry;
    const std::string cert = p + "/" + r;
    const std::vector<std::pair<std::string, std::string>> flags{
        {"--port", "0"},
        {"--ready-file", ready},
        {"--record", stem + "-record"},
        {"--tls-cert", cert + "-tls.crt"},
        {"--tls-key", cert + "-tls.key"},
        {"--client-ca", p + "/ca-chain.crt"},
        {"--signing-cert", cert + "-signing.crt"},
        {"--signing-key", cert + "-signing.key"},
        {"--client-signing-cert", p + "/gateway-signing.crt"},
        {"--foreign-signing-cert", p + "/attacker-signing.crt"},
        {"--foreign-signing-key", p + "/attacker-signing.key"}};
    std::vector<std::string> args{command.program};
    for (const auto& [flag, value] : flags) {
        args.push_back(flag);
        args.push_back(value);
    }
    args.insert(args.end(), command.extra.begin(), command.extra.end());
    args.insert(args.end(), faults.begin(), faults.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&files, STDOUT_FILENO, STDERR_FILENO);
    const int rc = posix_spawn(&pid_, command.program.c_str(), &files, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&files);
    if (rc != 0) throw std::runtime_error("cannot start the simulator " + command.program + ": " + std::strerror(rc));

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("the simulator exited before it listened: " + read_all(log));
        }
        const std::string address = read_all(ready);
        if (!address.empty() && address.back() == '\n') {
            endpoint_ = "https://" + address.substr(0, address.size() - 1) + "/";
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop();
    throw std::runtime_error("the simulator did not listen within 15 s: " + read_all(log));
}

SimulatorProcess::~SimulatorProcess() { stop(); }

void SimulatorProcess::stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 500 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (waitpid(pid_, &status, WNOHANG) == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
    }
    pid_ = -1;
}

}  // namespace vikno::gateway::plugin_check
