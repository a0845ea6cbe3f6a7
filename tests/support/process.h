#pragma once
// A child process for tests and benchmarks (a simulator, the gateway), with its
// output in a log file, and the wait for the ready file it writes once it
// listens. No test framework here: the integration tests and the load benchmark
// both use it.

#include <chrono>
#include <string>
#include <vector>

#include <sys/types.h>

namespace vikno::testing {

class Process {
public:
    Process(const std::vector<std::string>& argv, const std::string& log_path);
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    bool running();
    pid_t pid() const { return pid_; }
    void kill9();
    /// SIGTERM, then the exit code (or -1 after the timeout, when it is killed).
    int stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// Waits for the process to exit on its own; its exit code, or -1 on timeout.
    int wait_exit(std::chrono::milliseconds timeout);

private:
    pid_t pid_ = -1;
    int status_ = 0;
    bool exited_ = false;
};

/// Waits until `process` has written its ready file (one line, ending in a
/// newline); that line, e.g. the address it listens on. Throws when the process
/// exits first or after 15 s.
std::string wait_ready(const std::string& file, Process& process, const std::string& what);

std::string read_file(const std::string& path);

}  // namespace vikno::testing
