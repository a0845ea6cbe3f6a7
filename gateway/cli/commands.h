#pragma once
// The `vikno` command's subcommands. Each returns the process exit code:
// 0 done, 1 the gateway refused or the case failed, 2 usage or configuration error, 3 cannot reach the gateway.

#include <string>
#include <vector>

namespace vikno::gateway::cli {

int serve(const std::vector<std::string>& args);
int submit(const std::vector<std::string>& args);
int status(const std::vector<std::string>& args);
/// `vikno cancel ID`: cancels a life situation, or a case still waiting to be sent.
int cancel(const std::vector<std::string>& args);
int audit_command(const std::vector<std::string>& args);
/// `vikno migrate --to CONNINFO`: a SQLite store and its audit log into an empty PostgreSQL database.
int migrate(const std::vector<std::string>& args);

}  // namespace vikno::gateway::cli
