#include "process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <csignal>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace vikno::testing {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

Process::Process(const std::vector<std::string>& argv, const std::string& log_path) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
}

Process::~Process() { stop(std::chrono::seconds(5)); }

bool Process::running() {
    if (exited_) return false;
    if (waitpid(pid_, &status_, WNOHANG) == pid_) exited_ = true;
    return !exited_;
}

void Process::kill9() {
    if (!running()) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
    exited_ = true;
}

int Process::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
        if (std::chrono::steady_clock::now() > deadline) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
}

int Process::stop(std::chrono::milliseconds timeout) {
    if (running()) ::kill(pid_, SIGTERM);
    const int code = wait_exit(timeout);
    if (code == -1) kill9();
    return code;
}

std::string wait_ready(const std::string& file, Process& process, const std::string& what) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
        std::string text = read_file(file);
        if (!text.empty() && text.back() == '\n') {
            text.pop_back();
            return text;
        }
        if (!process.running()) throw std::runtime_error(what + " exited before it was ready");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error(what + " was not ready within 15 s");
}

}  // namespace vikno::testing
