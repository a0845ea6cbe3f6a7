// vikno: the gateway server and its command-line client.

#include "cli/allocator.h"
#include "cli/commands.h"

#include <iostream>

namespace {

void usage() {
    std::cout << "usage: vikno COMMAND [options]\n\n"
                 "  serve  [--config FILE]                      run the gateway\n"
                 "  submit FILE [--config FILE] [--key KEY] [--wait] [--json]\n"
                 "                                              submit a case (JSON) to the gateway\n"
                 "  status ID [--config FILE] [--json]          show a case's status, history, steps and outcome\n"
                 "  cancel ID [--config FILE]                   cancel a life situation, or a case not yet sent\n"
                 "  audit  verify|list|show|export|check-bundle|pull  the auditors' tools (vikno audit help)\n"
                 "  migrate --to CONNINFO [--from FILE] [--audit DIR]\n"
                 "                                              copy a SQLite store and audit log into PostgreSQL\n"
                 "  version                                     print the version\n\n"
                 "The config file defaults to $VIKNO_CONFIG, else config/vikno.jsonc.\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage();
        return 2;
    }
    const std::string command = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    if (command == "serve") return vikno::gateway::cli::serve(args);
    if (command == "submit") return vikno::gateway::cli::submit(args);
    if (command == "status") return vikno::gateway::cli::status(args);
    if (command == "cancel") return vikno::gateway::cli::cancel(args);
    if (command == "audit") return vikno::gateway::cli::audit_command(args);
    if (command == "migrate") return vikno::gateway::cli::migrate(args);
    if (command == "version" || command == "--version") {
        std::cout << "vikno " << VIKNO_VERSION << " (allocator: " << vikno::gateway::cli::allocator_name() << ")\n";
        return 0;
    }
    if (command == "help" || command == "--help" || command == "-h") {
        usage();
        return 0;
    }
    std::cerr << "vikno: unknown command '" << command << "'\n\n";
    usage();
    return 2;
}
