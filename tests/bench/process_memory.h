#pragma once
// A process's memory as the kernel counts it, for the benchmarks that report it.

#include <sys/types.h>

#include <fstream>
#include <string>
#include <utility>

namespace vikno::bench {

/// Resident memory now and at its peak (VmRSS, VmHWM of /proc/PID/status), in MiB. The peak can be
/// reset to "now" by writing 5 to /proc/PID/clear_refs, to measure one step's peak.
inline std::pair<double, double> memory_mib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    double rss = 0, peak = 0;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) rss = std::stod(line.substr(6)) / 1024;
        if (line.rfind("VmHWM:", 0) == 0) peak = std::stod(line.substr(6)) / 1024;
    }
    return {rss, peak};
}

}  // namespace vikno::bench
