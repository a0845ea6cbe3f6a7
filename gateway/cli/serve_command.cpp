#include "api/api_server.h"
#include "audit/postgres_audit_log.h"
#include "cli/allocator.h"
#include "cli/commands.h"
#include "common/storage_full.h"
#include "config/config.h"
#include "console/console_server.h"
#include "dispatch/dispatcher.h"
#include "logging/logging.h"
#include "metrics/metrics.h"
#include "notify/callback_sender.h"
#include "plugin_host/plugin_host.h"
#include "signing/credentials.h"
#include "situations/situation_runner.h"
#include "store/postgres_case_store.h"
#include "store/sqlite_case_store.h"
#include "store/sqlite_statement.h"

#include <Poco/Path.h>

#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

namespace vikno::gateway::cli {
namespace {

// SQLite by default; PostgreSQL when the config names a database (several instances share it).
std::unique_ptr<CaseStore> open_store(const Config& config) {
    if (config.store.postgres.empty()) return std::make_unique<SqliteCaseStore>(config.store.path);
    auto store = std::make_unique<PostgresCaseStore>(
        PostgresOptions{config.store.postgres, config.store.connections, config.store.lease_ms});
    spdlog::info("store: PostgreSQL, instance {}", store->instance_id());
    return store;
}

// The audit log goes where the store is: files beside SQLite, PostgreSQL for several instances.
std::unique_ptr<audit::AuditLog> open_audit_log(const Config& config, const crypto::Signer& signer) {
    const auto entries = static_cast<std::uint64_t>(config.audit.checkpoint_entries);
    if (!config.store.postgres.empty()) {
        return std::make_unique<audit::PostgresAuditLog>(
            audit::PostgresAuditOptions{config.store.postgres, entries, config.audit.checkpoint_seconds}, signer);
    }
    return std::make_unique<audit::FileAuditLog>(
        audit::AuditOptions{config.audit.dir, entries, config.audit.checkpoint_seconds}, signer);
}

void write_ready_file(const std::string& path, const std::string& address) {
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << address << '\n';
    }
    std::rename(temporary.c_str(), path.c_str());
}

}  // namespace

int serve(const std::vector<std::string>& args) {
    std::string config_path = default_config_path();
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size()) {
            config_path = args[++i];
        } else {
            std::cerr << "vikno serve: unexpected argument '" << args[i] << "' (usage: vikno serve [--config FILE])\n";
            return 2;
        }
    }
    // Stop signals are taken by sigwait below, never by a worker thread.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    try {
        const Config config = load_config(config_path);
        setup_logging(config.log, config.source);
        const auto store_owner = open_store(config);
        CaseStore& store = *store_owner;
        const PluginHost plugins(config);
        for (const auto& loaded : plugins.plugins()) {
            spdlog::info("plugin {} {} loaded from {} ({} services, registry at {})", loaded.descriptor.name,
                         loaded.descriptor.version, loaded.path, loaded.descriptor.services.size(), loaded.endpoint);
        }
        Metrics metrics;
        const Credentials credentials = Credentials::load(config);
        const std::time_t expires = credentials.signer().certificate().not_after();
        char expiry[32];
        // "3 Dec 2027", not YYYY-MM-DD: the log scrubber masks every ISO date as a possible birth date,
        // and the gateway's own certificate facts are no personal data.
        std::strftime(expiry, sizeof expiry, "%d %b %Y", std::gmtime(&expires));
        spdlog::info("signing as '{}' ({}, certificate valid until {})",
                     credentials.signer().certificate().common_name(), credentials.signer().algorithm().name, expiry);
        // The audit log is signed with the gateway's key; auditors verify it with its certificate.
        const auto audit_owner = open_audit_log(config, credentials.signer());
        audit::AuditLog& audit_log = *audit_owner;
        spdlog::info("audit log in {} ({} entries)",
                     config.store.postgres.empty() ? config.audit.dir : std::string("PostgreSQL"), audit_log.size());
        // With PostgreSQL the disk to watch is the database server's; it says so itself (SQLSTATE 53100).
        std::vector<std::string> watched;
        if (config.store.postgres.empty()) {
            watched = {Poco::Path(Poco::Path(config.store.path).absolute()).parent().toString(), config.audit.dir};
        }
        SpaceWatch space(watched, config.store.min_free_bytes);
        Dispatcher dispatcher(store, plugins, credentials, config, metrics, audit_log, space);
        const Situations situations(
            config.situations_dir, [&](const std::string& service) { return plugins.for_service(service) != nullptr; });
        for (const auto& situation : situations.all()) {
            spdlog::info("life situation {} from {} ({} steps)", situation.code, situation.source,
                         situation.steps.size());
        }
        SituationRunner situation_runner(store, situations, audit_log, space, [&] { dispatcher.notify(); });
        ApiServer api({config, store, plugins, dispatcher, metrics, credentials.api_tls(), audit_log, credentials,
                       situations, space});
        // Listen first: a gateway that cannot have its port must stop before it touches the outbox
        // (releasing claims, sending cases). Cases accepted meanwhile wait in the outbox.
        const std::uint16_t port = api.start();
        dispatcher.start();
        situation_runner.start();
        // Case events to CNAP back-ends, when an office is configured for them.
        std::unique_ptr<CallbackSender> callbacks;
        if (credentials.callback_tls()) {
            callbacks = std::make_unique<CallbackSender>(store, config.callbacks, credentials.signer(),
                                                         credentials.callback_tls(), space);
            callbacks->start();
        }
        // The web console for auditors and supervisors, when configured (docs/console.md).
        std::unique_ptr<console::ConsoleServer> console_server;
        if (config.console.enabled) {
            console_server = std::make_unique<console::ConsoleServer>(
                console::ConsoleContext{config, store, dispatcher.breakers(), audit_log, credentials, situations});
            const std::string console_address = config.console.host + ":" + std::to_string(console_server->start());
            spdlog::info("console on https://{}/console/ ({} users)", console_address, config.console.users.size());
            if (!config.console.ready_file.empty()) write_ready_file(config.console.ready_file, console_address);
        }
        const std::string address = config.server.host + ":" + std::to_string(port);
        spdlog::info("vikno {} serving on https://{} (store {}, allocator {})", VIKNO_VERSION, address,
                     config.store.postgres.empty() ? config.store.path : std::string("PostgreSQL"), allocator_name());
        if (!config.server.ready_file.empty()) write_ready_file(config.server.ready_file, address);

        int received = 0;
        sigwait(&signals, &received);
        spdlog::info("stopping (signal {})", received);
        api.stop();
        if (console_server) console_server->stop();
        situation_runner.stop();
        dispatcher.stop();
        if (callbacks) callbacks->stop();
        spdlog::info("stopped");
        return 0;
    } catch (const ConfigError& e) {
        std::cerr << "vikno: configuration error: " << e.what() << "\n";
    } catch (const SituationError& e) {
        std::cerr << "vikno: life situation refused: " << e.what() << "\n";
    } catch (const PluginLoadError& e) {
        std::cerr << "vikno: plugin refused: " << e.what() << "\n";
    } catch (const audit::AuditError& e) {
        std::cerr << "vikno: audit log refused: " << e.what() << "\n";
    } catch (const sqlite::Error& e) {
        std::cerr << "vikno: store error: " << e.what() << "\n";
    } catch (const StoreUnavailable& e) {
        std::cerr << "vikno: store refused: " << e.what()
                  << " (is PostgreSQL running and reachable as store.postgres in " << config_path << " says?)\n";
    } catch (const pg::Error& e) {
        std::cerr << "vikno: store refused: " << e.what() << " (the role of store.postgres in " << config_path
                  << " must be able to create the tables the first time, then to read and write them)\n";
    } catch (const std::exception& e) {
        std::cerr << "vikno: cannot start: " << e.what() << "\n";
    }
    return 2;
}

}  // namespace vikno::gateway::cli
