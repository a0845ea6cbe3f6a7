#pragma once
// The CPU time a process (or a server's process tree) has used, as the kernel counts it, for the
// benchmarks that report CPU per case.

#include <sys/types.h>
#include <unistd.h>

#include <dirent.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace vikno::bench {

/// Fields 3 onwards of /proc/PID/stat (state, ppid, ...); empty when the process is gone. The command
/// name before them may hold spaces and parentheses, so the split is at the last ')'.
inline std::vector<std::string> proc_stat_fields(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    const std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto end_of_name = text.rfind(')');
    if (end_of_name == std::string::npos || end_of_name + 2 > text.size()) return {};
    std::istringstream in(text.substr(end_of_name + 2));
    std::vector<std::string> fields{"", "", ""};  // so that fields[n] is proc(5)'s field n
    for (std::string field; in >> field;) fields.push_back(field);
    return fields;
}

/// User and system CPU seconds of `pid` itself (proc(5) fields 14 and 15); with `reaped`, also those of
/// its children that have exited and been waited for (16 and 17).
inline double cpu_seconds(pid_t pid, bool reaped = false) {
    const auto fields = proc_stat_fields(pid);
    if (fields.size() < 18) return 0;
    double ticks = std::stod(fields[14]) + std::stod(fields[15]);
    if (reaped) ticks += std::stod(fields[16]) + std::stod(fields[17]);
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// A server that forks one process per connection (PostgreSQL's postmaster): its own CPU, that of its
/// live children and that of the children that have exited. A child that exits between two readings
/// moves from one sum to the other, so differences of readings stay right.
inline double process_tree_cpu_seconds(pid_t parent) {
    double seconds = cpu_seconds(parent, true);
    DIR* proc = opendir("/proc");
    if (proc == nullptr) return seconds;
    const std::string parent_id = std::to_string(parent);
    while (const dirent* entry = readdir(proc)) {
        const std::string name = entry->d_name;
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        const pid_t pid = static_cast<pid_t>(std::stol(name));
        const auto fields = proc_stat_fields(pid);
        if (fields.size() > 4 && fields[4] == parent_id) seconds += cpu_seconds(pid);
    }
    closedir(proc);
    return seconds;
}

}  // namespace vikno::bench
