// `vikno audit ...`: the auditors' tools. They read the audit log's files directly (no running
// gateway needed) and trust only the audit certificate given to them (docs/audit.md).

#include "audit/audit_log.h"
#include "audit/entry_reading.h"
#include "audit/evidence_bundle.h"
#include "audit/log_files.h"
#include "audit/log_verifier.h"
#include "audit/postgres_audit_log.h"
#include "cli/commands.h"
#include "config/config.h"
#include "signing/credentials.h"

#include <vikno/signing.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace vikno::gateway::cli {
namespace {

using audit::entry_field;
using audit::parse_entry;

constexpr const char* kUsage =
    "usage: vikno audit COMMAND [options]\n\n"
    "  verify                     recompute the tree, check every checkpoint and proof\n"
    "  list [filters]             entries, one per line; filters: --case ID --registry NAME --office ID\n"
    "                             --service CODE --outcome OUTCOME --from TIME --to TIME (RFC 3339, UTC)\n"
    "  show N                     one entry with its wire messages\n"
    "  export --case ID --out FILE  an evidence bundle for one case\n"
    "  check-bundle FILE          check a bundle offline\n"
    "  pull --dir DIR             write the shared log of several instances (PostgreSQL) to DIR as the\n"
    "                             same two files, for every command above; --postgres CONNINFO, default\n"
    "                             store.postgres from the config\n\n"
    "Options: --dir DIR (the log; default audit.dir from the config), --cert FILE (the audit certificate you\n"
    "trust; default signing.certificate from the config; repeat for rotated keys), --config FILE.\n"
    "Exit codes: 0 good, 1 tampering or a bad bundle found, 2 usage or unreadable input.\n";

struct AuditArgs {
    std::string command;
    std::string positional;
    std::map<std::string, std::string> options;
    std::vector<std::string> certificates;
};

class UsageError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

AuditArgs parse(const std::vector<std::string>& args) {
    if (args.empty()) throw UsageError("a command is needed");
    AuditArgs out;
    out.command = args[0];
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.rfind("--", 0) == 0) {
            if (i + 1 >= args.size()) throw UsageError(arg + " needs a value");
            if (arg == "--cert")
                out.certificates.push_back(args[++i]);
            else
                out.options[arg.substr(2)] = args[++i];
        } else if (out.positional.empty()) {
            out.positional = arg;
        } else {
            throw UsageError("unexpected argument '" + arg + "'");
        }
    }
    return out;
}

std::string option(const AuditArgs& a, const std::string& name, const std::string& fallback = "") {
    const auto it = a.options.find(name);
    return it == a.options.end() ? fallback : it->second;
}

// The log folder and trusted certificates: from the options, else from the config file.
std::string log_dir(const AuditArgs& a) {
    if (auto dir = option(a, "dir"); !dir.empty()) return dir;
    return load_config(option(a, "config", default_config_path())).audit.dir;
}

std::vector<crypto::Certificate> trusted(const AuditArgs& a) {
    std::vector<std::string> files = a.certificates;
    if (files.empty()) files.push_back(load_config(option(a, "config", default_config_path())).signing.certificate);
    std::vector<crypto::Certificate> out;
    for (const auto& file : files) {
        auto certificate = crypto::Certificate::load_pem_file(file);
        if (!certificate) throw UsageError(certificate.error().message);
        out.push_back(certificate.value());
    }
    return out;
}

int verify(const AuditArgs& a) {
    const std::string dir = log_dir(a);
    const auto report = audit::verify_log(dir, trusted(a));
    for (const auto& warning : report.warnings) std::cout << "note: " << warning << "\n";
    if (!report.ok()) {
        std::cout << "TAMPERED: " << report.problems.front() << "\n";
        for (std::size_t i = 1; i < report.problems.size(); ++i) std::cout << "  also: " << report.problems[i] << "\n";
        return 1;
    }
    std::cout << "OK: " << report.entries << " entries, " << report.checkpoints << " signed checkpoints, "
              << report.sealed << " entries sealed by the last one (" << dir << ")\n";
    return 0;
}

int pull(const AuditArgs& a) {
    const std::string dir = option(a, "dir");
    if (dir.empty()) throw UsageError("pull needs --dir DIR, the folder to write the log to");
    std::string conninfo = option(a, "postgres");
    if (conninfo.empty()) conninfo = load_config(option(a, "config", default_config_path())).store.postgres;
    if (conninfo.empty())
        throw UsageError("no PostgreSQL log: give --postgres CONNINFO or a config with store.postgres");
    const std::uint64_t entries = audit::PostgresAuditLog::pull(conninfo, dir);
    std::cout << "pulled " << entries << " entries into " << dir << "; check them with 'vikno audit verify --dir "
              << dir << "'\n";
    return 0;
}

int list(const AuditArgs& a) {
    const audit::EntryFilter filter{option(a, "case"),    option(a, "registry"), option(a, "office"),
                                    option(a, "service"), option(a, "outcome"),  option(a, "from"),
                                    option(a, "to")};
    audit::for_each_line(log_dir(a) + "/" + audit::kEntriesFile, [&](std::uint64_t i, std::string_view line) {
        if (!filter.may_match(line)) return true;
        const auto entry = parse_entry(std::string(line));
        if (!filter.matches(entry)) return true;
        std::cout << i << "  " << entry_field(entry, "at") << "  " << entry_field(entry, "kind") << "  "
                  << entry_field(entry, "case_id") << "  " << entry_field(entry, "office") << "  "
                  << entry_field(entry, "service");
        if (entry->has("registry"))
            std::cout << "  " << entry_field(entry, "registry") << " #" << entry_field(entry, "attempt");
        std::cout << "  " << audit::entry_outcome(entry) << "\n";
        return true;
    });
    return 0;
}

int show(const AuditArgs& a) {
    std::size_t index = 0;
    try {
        index = std::stoul(a.positional);
    } catch (const std::exception&) {
        throw UsageError("show needs an entry number (see 'vikno audit list')");
    }
    const auto line = audit::line_at(log_dir(a) + "/" + audit::kEntriesFile, index);
    if (!line) throw UsageError("there is no entry " + a.positional);
    const auto entry = parse_entry(*line);
    std::cout << "entry " << index << "  (leaf hash " << audit::to_hex(audit::leaf_hash(*line)) << ")\n";
    for (const auto& [key, value] : *entry) {
        if (key == "request" || key == "response") continue;
        std::cout << "  " << key << ": " << value.toString() << "\n";
    }
    for (const char* key : {"request", "response"}) {
        if (!entry->has(key)) continue;
        auto bytes = crypto::base64_decode(entry_field(entry, key));
        std::cout << "\n--- " << key << " as on the wire (" << (bytes ? bytes.value().size() : 0) << " bytes"
                  << (std::string(key) == "response" ? ", signature check: " + entry_field(entry, "verification") : "")
                  << ") ---\n"
                  << (bytes ? audit::readable_wire(bytes.value()) : "(not base64)") << "\n";
    }
    return 0;
}

int export_case(const AuditArgs& a) {
    const std::string case_id = option(a, "case");
    const std::string out = option(a, "out");
    if (case_id.empty() || out.empty()) throw UsageError("export needs --case ID and --out FILE");
    const auto certificates = trusted(a);
    std::map<std::string, std::string> others;
    if (const auto config_path = option(a, "config", default_config_path()); std::ifstream(config_path)) {
        others = registry_certificates_pem(load_config(config_path));
    }
    auto bundle = audit::export_bundle(log_dir(a), case_id, certificates.front(), others);
    if (!bundle) {
        std::cerr << "vikno audit export: " << bundle.error().message << "\n";
        return 1;
    }
    std::ofstream(out, std::ios::binary) << bundle.value();
    std::cout << "wrote " << out << " (case " << case_id << ")\n";
    return 0;
}

int check(const AuditArgs& a) {
    std::ifstream in(a.positional, std::ios::binary);
    if (a.positional.empty() || !in) throw UsageError("check-bundle needs a readable bundle file");
    if (a.certificates.empty()) throw UsageError("check-bundle needs --cert FILE: the audit certificate you trust");
    std::stringstream text;
    text << in.rdbuf();
    const auto report = audit::check_bundle(text.str(), trusted(a).front());
    if (!report.ok()) {
        std::cout << "BAD BUNDLE: " << report.problems.front() << "\n";
        for (std::size_t i = 1; i < report.problems.size(); ++i) std::cout << "  also: " << report.problems[i] << "\n";
        return 1;
    }
    std::cout << "OK: " << report.entries.size() << " entries proven against the signed checkpoint\n";
    for (const auto& line : report.entries) std::cout << "  " << line << "\n";
    return 0;
}

}  // namespace

int audit_command(const std::vector<std::string>& args) {
    try {
        const AuditArgs a = parse(args);
        if (a.command == "verify") return verify(a);
        if (a.command == "list") return list(a);
        if (a.command == "show") return show(a);
        if (a.command == "export") return export_case(a);
        if (a.command == "check-bundle") return check(a);
        if (a.command == "pull") return pull(a);
        if (a.command == "help" || a.command == "--help") {
            std::cout << kUsage;
            return 0;
        }
        throw UsageError("unknown command '" + a.command + "'");
    } catch (const UsageError& e) {
        std::cerr << "vikno audit: " << e.what() << "\n\n" << kUsage;
    } catch (const ConfigError& e) {
        std::cerr << "vikno audit: configuration error: " << e.what() << " (or give --dir and --cert)\n";
    }
    return 2;
}

}  // namespace vikno::gateway::cli
