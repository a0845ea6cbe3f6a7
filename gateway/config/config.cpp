#include "config/config.h"

#include <vikno/identifiers.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace vikno::gateway {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// Reads one JSON object of the config, naming `source` and the key path in every error.
class Section {
public:
    Section(Object::Ptr object, std::string source, std::string path)
        : object_(std::move(object)), source_(std::move(source)), path_(std::move(path)) {}

    [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
        throw ConfigError(source_ + ": " + name(key) + ": " + problem);
    }

    void allow(const std::set<std::string>& keys) const {
        for (const auto& [key, value] : *object_) {
            if (!keys.contains(key)) {
                std::string known;
                for (const auto& k : keys) known += (known.empty() ? "" : ", ") + k;
                fail(key, "unknown key; expected one of: " + known);
            }
        }
    }

    bool has(const std::string& key) const { return object_->has(key); }

    std::string text(const std::string& key, std::string fallback) const {
        if (!has(key)) return fallback;
        const auto value = object_->get(key);
        if (!value.isString()) fail(key, "expected a string");
        return value.extract<std::string>();
    }

    std::int64_t integer(const std::string& key, std::int64_t fallback, std::int64_t min, std::int64_t max) const {
        if (!has(key)) return fallback;
        const auto value = object_->get(key);
        if (!value.isInteger())
            fail(key, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
        const auto number = value.convert<std::int64_t>();
        if (number < min || number > max) {
            fail(key, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
                          std::to_string(number));
        }
        return number;
    }

    Section section(const std::string& key) const {
        const Object::Ptr child = has(key) ? object_->getObject(key) : Object::Ptr(new Object);
        if (!child) fail(key, "expected an object");
        return Section(child, source_, name(key));
    }

    Array::Ptr array(const std::string& key) const {
        if (!has(key)) return new Array;
        Array::Ptr array = object_->getArray(key);
        if (!array) fail(key, "expected an array");
        return array;
    }

    const Object::Ptr& object() const { return object_; }
    const std::string& source() const { return source_; }
    std::string name(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

private:
    Object::Ptr object_;
    std::string source_;
    std::string path_;
};

void read_listen(const Section& s, std::string& host, std::uint16_t& port) {
    const std::string listen = s.text("listen", host + ":" + std::to_string(port));
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0) s.fail("listen", "expected HOST:PORT, e.g. 127.0.0.1:8080");
    host = listen.substr(0, colon);
    try {
        const int number = std::stoi(listen.substr(colon + 1));
        if (number < 0 || number > 65535) throw std::out_of_range("port");
        port = static_cast<std::uint16_t>(number);
    } catch (const std::exception&) {
        s.fail("listen", "expected HOST:PORT with a port from 0 to 65535, got '" + listen + "'");
    }
}

// A required file path; the message says what the file is for and how to make one for development.
std::string required_file(const Section& s, const std::string& key, const std::string& what) {
    std::string path = s.text(key, "");
    if (path.empty()) s.fail(key, "required: " + what + " (for development: certs/make-dev-pki.sh makes certs/dev/)");
    return path;
}

KeyPairConfig read_key_pair(const Section& s, const std::string& what) {
    s.allow({"certificate", "key"});
    return {required_file(s, "certificate", what + " certificate (PEM)"),
            required_file(s, "key", what + " private key (PEM file or pkcs11: URI)")};
}

// An https URL with a host, or the failure naming `key`.
void require_https_url(const Section& s, const std::string& key, const std::string& url, const std::string& what) {
    try {
        const Poco::URI uri(url);
        if (uri.getScheme() == "https" && !uri.getHost().empty()) return;
    } catch (const Poco::SyntaxException&) {}
    s.fail(key, "expected " + what + " as https://HOST:PORT/PATH, got '" + url + "'");
}

OfficeConfig read_office(const Section& s, std::set<std::string>& seen) {
    s.allow({"id", "services", "callback_url", "callback_hosts"});
    OfficeConfig office;
    office.id = s.text("id", "");
    if (office.id.empty()) s.fail("id", "required: the office id, equal to the common name of its client certificate");
    if (!seen.insert(office.id).second) s.fail("id", "the office '" + office.id + "' is listed twice");
    const Array::Ptr services = s.array("services");
    for (std::size_t i = 0; i < services->size(); ++i) {
        const auto value = services->get(static_cast<unsigned>(i));
        if (!value.isString()) s.fail("services", "expected service codes, 'prefix.*' or '*'");
        office.services.push_back(value.extract<std::string>());
    }
    if (office.services.empty()) s.fail("services", "required: the services this office may request (or [\"*\"])");
    office.callback_url = s.text("callback_url", "");
    if (!office.callback_url.empty()) {
        require_https_url(s, "callback_url", office.callback_url, "the office back-end's callback URL");
    }
    if (s.has("callback_hosts")) {
        const Array::Ptr hosts = s.array("callback_hosts");
        for (std::size_t i = 0; i < hosts->size(); ++i) {
            const auto value = hosts->get(static_cast<unsigned>(i));
            if (!value.isString() || value.extract<std::string>().empty()) {
                s.fail("callback_hosts", "expected host names a case's callback_url may point to");
            }
            office.callback_hosts.push_back(value.extract<std::string>());
        }
    }
    return office;
}

PluginConfig read_plugin(const Section& s) {
    s.allow({"file", "endpoint", "tls_ca", "answer_certificate", "max_in_flight", "settings"});
    PluginConfig plugin;
    plugin.file = s.text("file", "");
    if (plugin.file.empty()) s.fail("file", "required: the plugin library, e.g. libvikno-civil_registry.so");
    plugin.endpoint = s.text("endpoint", "");
    try {
        const Poco::URI uri(plugin.endpoint);
        if (uri.getScheme() != "https" || uri.getHost().empty()) {
            s.fail("endpoint", "expected the registry's https://HOST:PORT/PATH URL, got '" + plugin.endpoint +
                                   "' (registries are reached over TLS only)");
        }
    } catch (const Poco::SyntaxException&) {
        s.fail("endpoint", "not a valid URL: '" + plugin.endpoint + "'");
    }
    plugin.tls_ca = required_file(s, "tls_ca", "the CA certificate(s) the registry's TLS certificate chains to");
    plugin.answer_certificate =
        required_file(s, "answer_certificate", "the registry's signing certificate, pinned to verify its answers");
    plugin.max_in_flight = static_cast<int>(s.integer("max_in_flight", 0, 0, 256));
    const Section settings = s.section("settings");
    for (const auto& [key, value] : *settings.object()) {
        if (!value.isString()) settings.fail(key, "plugin settings are strings");
        plugin.settings[key] = value.extract<std::string>();
    }
    return plugin;
}

ConsoleUser read_console_user(const Section& s, const Config& config, std::set<std::string>& seen) {
    s.allow({"name", "role", "office"});
    ConsoleUser user;
    user.name = s.text("name", "");
    if (user.name.empty()) s.fail("name", "required: the common name of the person's client certificate");
    if (!seen.insert(user.name).second) s.fail("name", "'" + user.name + "' is listed twice");
    const std::string role = s.text("role", "");
    if (role == "auditor") {
        user.role = ConsoleUser::Role::Auditor;
        if (s.has("office")) s.fail("office", "an auditor sees every office; remove it or make the role supervisor");
    } else if (role == "supervisor") {
        user.role = ConsoleUser::Role::Supervisor;
        user.office = s.text("office", "");
        if (config.office(user.office) == nullptr) {
            s.fail("office", "expected the id of the office this supervisor supervises (one of offices[].id), got '" +
                                 user.office + "'");
        }
    } else {
        s.fail("role", "expected auditor or supervisor, got '" + role + "'");
    }
    return user;
}

void read_console(const Section& top, Config& config) {
    if (!top.has("console")) return;
    const Section console = top.section("console");
    console.allow({"listen", "client_ca", "ready_file", "users"});
    auto& c = config.console;
    c.enabled = true;
    read_listen(console, c.host, c.port);
    c.client_ca =
        required_file(console, "client_ca", "the CA that issues the auditors' and supervisors' client certificates");
    c.ready_file = console.text("ready_file", "");
    const Array::Ptr users = console.array("users");
    std::set<std::string> names;
    for (std::size_t i = 0; i < users->size(); ++i) {
        const std::string path = "console.users[" + std::to_string(i) + "]";
        const Object::Ptr item = users->getObject(static_cast<unsigned>(i));
        if (!item) throw ConfigError(config.source + ": " + path + ": expected an object with name and role");
        c.users.push_back(read_console_user(Section(item, config.source, path), config, names));
    }
    if (c.users.empty()) console.fail("users", "required: the people allowed in, each with name and role");
}

// Removes // and /* */ comments outside strings; newlines stay, so parser positions still match.
std::string strip_comments(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (in_string) {
            out += ch;
            if (ch == '\\' && i + 1 < text.size()) {
                out += text[++i];
            } else if (ch == '"') {
                in_string = false;
            }
        } else if (ch == '"') {
            in_string = true;
            out += ch;
        } else if (ch == '/' && i + 1 < text.size() && text[i + 1] == '/') {
            while (i < text.size() && text[i] != '\n') ++i;
            if (i < text.size()) out += '\n';
        } else if (ch == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            for (i += 2; i + 1 < text.size() && !(text[i] == '*' && text[i + 1] == '/'); ++i) {
                if (text[i] == '\n') out += '\n';
            }
            ++i;
        } else {
            out += ch;
        }
    }
    return out;
}

}  // namespace

Config parse_config(const std::string& text, const std::string& source) {
    Object::Ptr root;
    try {
        Poco::JSON::Parser parser;
        const auto parsed = parser.parse(strip_comments(text));
        if (parsed.type() != typeid(Object::Ptr)) throw ConfigError(source + ": the top level must be a JSON object");
        root = parsed.extract<Object::Ptr>();
    } catch (const Poco::Exception& e) {
        throw ConfigError(source + ": not valid JSON (comments are allowed): " + e.message());
    }

    Config config;
    config.source = source;
    const Section top(root, source, "");
    top.allow({"server", "store", "dispatch", "xroad", "log", "audit", "plugins", "offices", "signing", "registry_tls",
               "callbacks", "situations", "client", "console"});

    const Section server = top.section("server");
    server.allow({"listen", "threads", "max_body_bytes", "max_backlog", "ready_file", "tls"});
    read_listen(server, config.server.host, config.server.port);
    config.server.threads = static_cast<int>(server.integer("threads", config.server.threads, 1, 512));
    config.server.max_body_bytes = static_cast<std::size_t>(
        server.integer("max_body_bytes", static_cast<std::int64_t>(config.server.max_body_bytes), 1024, 64 << 20));
    config.server.max_backlog = server.integer("max_backlog", config.server.max_backlog, 1, 100000000);
    config.server.ready_file = server.text("ready_file", "");

    const Section store = top.section("store");
    store.allow({"path", "min_free_bytes", "postgres", "connections", "lease_ms"});
    config.store.path = store.text("path", config.store.path);
    config.store.postgres = store.text("postgres", "");
    config.store.connections = static_cast<int>(store.integer("connections", config.store.connections, 2, 256));
    config.store.lease_ms = static_cast<int>(store.integer("lease_ms", config.store.lease_ms, 100, 3600000));
    config.store.min_free_bytes = store.integer("min_free_bytes", config.store.min_free_bytes, 0, 1LL << 50);
    if (config.store.path.empty()) store.fail("path", "expected the SQLite database file, e.g. var/vikno.db");

    const Section dispatch = top.section("dispatch");
    dispatch.allow({"workers", "max_attempts", "backoff_initial_ms", "backoff_max_ms", "connect_timeout_ms",
                    "request_timeout_ms", "breaker_failures", "breaker_cooldown_ms", "breaker_max_cooldown_ms",
                    "registry_max_in_flight"});
    auto& d = config.dispatch;
    d.workers = static_cast<int>(dispatch.integer("workers", d.workers, 1, 256));
    d.max_attempts = static_cast<int>(dispatch.integer("max_attempts", d.max_attempts, 1, 1000));
    d.backoff_initial_ms = static_cast<int>(dispatch.integer("backoff_initial_ms", d.backoff_initial_ms, 1, 3600000));
    d.backoff_max_ms = static_cast<int>(dispatch.integer("backoff_max_ms", d.backoff_max_ms, 1, 86400000));
    if (d.backoff_max_ms < d.backoff_initial_ms)
        dispatch.fail("backoff_max_ms", "must not be below backoff_initial_ms");
    d.connect_timeout_ms = static_cast<int>(dispatch.integer("connect_timeout_ms", d.connect_timeout_ms, 10, 600000));
    d.request_timeout_ms = static_cast<int>(dispatch.integer("request_timeout_ms", d.request_timeout_ms, 10, 3600000));
    d.breaker_failures = static_cast<int>(dispatch.integer("breaker_failures", d.breaker_failures, 1, 10000));
    d.breaker_cooldown_ms =
        static_cast<int>(dispatch.integer("breaker_cooldown_ms", d.breaker_cooldown_ms, 10, 86400000));
    d.breaker_max_cooldown_ms =
        static_cast<int>(dispatch.integer("breaker_max_cooldown_ms", d.breaker_max_cooldown_ms, 10, 86400000));
    if (d.breaker_max_cooldown_ms < d.breaker_cooldown_ms) {
        dispatch.fail("breaker_max_cooldown_ms", "must not be below breaker_cooldown_ms");
    }
    d.registry_max_in_flight = static_cast<int>(dispatch.integer("registry_max_in_flight", 0, 0, 256));

    const Section xroad = top.section("xroad");
    xroad.allow({"instance", "member_class", "member_code", "subsystem"});
    config.xroad.instance = xroad.text("instance", config.xroad.instance);
    config.xroad.member_class = xroad.text("member_class", config.xroad.member_class);
    config.xroad.member_code = xroad.text("member_code", "");
    config.xroad.subsystem = xroad.text("subsystem", config.xroad.subsystem);
    if (!identifiers::is_valid_edrpou(config.xroad.member_code)) {
        xroad.fail("member_code",
                   "expected the EDRPOU code of the organisation running the gateway (8 digits with a "
                   "correct check digit), got '" +
                       config.xroad.member_code + "'");
    }

    const Section log = top.section("log");
    log.allow({"level", "file"});
    config.log.level = log.text("level", config.log.level);
    static const std::set<std::string> kLevels{"trace", "debug", "info", "warn", "error", "critical", "off"};
    if (!kLevels.contains(config.log.level)) log.fail("level", "expected trace, debug, info, warn, error or off");
    config.log.file = log.text("file", "");

    const Section audit = top.section("audit");
    audit.allow({"dir", "checkpoint_entries", "checkpoint_seconds"});
    config.audit.dir = audit.text("dir", config.audit.dir);
    if (config.audit.dir.empty()) audit.fail("dir", "expected the audit log's folder, e.g. var/audit");
    config.audit.checkpoint_entries =
        audit.integer("checkpoint_entries", config.audit.checkpoint_entries, 1, 100000000);
    config.audit.checkpoint_seconds =
        static_cast<int>(audit.integer("checkpoint_seconds", config.audit.checkpoint_seconds, 1, 86400));

    const Section plugins = top.section("plugins");
    plugins.allow({"dir", "load"});
    config.plugin_dir = plugins.text("dir", config.plugin_dir);
    const Array::Ptr load = plugins.array("load");
    for (std::size_t i = 0; i < load->size(); ++i) {
        const std::string path = "plugins.load[" + std::to_string(i) + "]";
        const Object::Ptr item = load->getObject(static_cast<unsigned>(i));
        if (!item) throw ConfigError(source + ": " + path + ": expected an object with file, endpoint, settings");
        config.plugins.push_back(read_plugin(Section(item, source, path)));
    }
    if (config.plugins.empty()) {
        plugins.fail("load", "no plugins listed; the gateway would offer no service");
    }

    // Security material last, so a config under construction reports its simpler mistakes first.
    if (!server.has("tls")) server.fail("tls", "required: the API is served over HTTPS with client certificates");
    const Section tls = server.section("tls");
    tls.allow({"certificate", "key", "client_ca"});
    config.server.tls.identity = {required_file(tls, "certificate", "the gateway's TLS server certificate (PEM)"),
                                  required_file(tls, "key", "the gateway's TLS private key")};
    config.server.tls.client_ca = required_file(tls, "client_ca", "the CNAP CA that issues office client certificates");

    const Array::Ptr offices = top.array("offices");
    std::set<std::string> office_ids;
    for (std::size_t i = 0; i < offices->size(); ++i) {
        const std::string path = "offices[" + std::to_string(i) + "]";
        const Object::Ptr item = offices->getObject(static_cast<unsigned>(i));
        if (!item) throw ConfigError(source + ": " + path + ": expected an object with id and services");
        config.offices.push_back(read_office(Section(item, source, path), office_ids));
    }
    if (config.offices.empty()) top.fail("offices", "required: the CNAP offices allowed to submit cases");

    if (!top.has("signing")) top.fail("signing", "required: the gateway signs every message it sends");
    config.signing = read_key_pair(top.section("signing"), "the gateway's message signing");
    if (!top.has("registry_tls")) top.fail("registry_tls", "required: the client certificate shown to registries");
    config.registry_tls = read_key_pair(top.section("registry_tls"), "the gateway's TLS client");

    const Section callbacks = top.section("callbacks");
    callbacks.allow({"tls_ca", "workers", "backoff_initial_ms", "backoff_max_ms", "request_timeout_ms"});
    config.callbacks.tls_ca = callbacks.text("tls_ca", "");
    config.callbacks.workers = static_cast<int>(callbacks.integer("workers", config.callbacks.workers, 1, 64));
    config.callbacks.backoff_initial_ms =
        static_cast<int>(callbacks.integer("backoff_initial_ms", config.callbacks.backoff_initial_ms, 1, 3600000));
    config.callbacks.backoff_max_ms =
        static_cast<int>(callbacks.integer("backoff_max_ms", config.callbacks.backoff_max_ms, 1, 86400000));
    config.callbacks.request_timeout_ms =
        static_cast<int>(callbacks.integer("request_timeout_ms", config.callbacks.request_timeout_ms, 100, 600000));
    for (const auto& office : config.offices) {
        if ((!office.callback_url.empty() || !office.callback_hosts.empty()) && config.callbacks.tls_ca.empty()) {
            callbacks.fail("tls_ca",
                           "required when an office has callback_url or callback_hosts: the CA the CNAP "
                           "back-ends' TLS certificates chain to");
        }
    }

    const Section situations = top.section("situations");
    situations.allow({"dir"});
    config.situations_dir = situations.text("dir", "");

    const Section client = top.section("client");
    client.allow({"certificate", "key", "ca"});
    config.client.identity = {client.text("certificate", ""), client.text("key", "")};
    config.client.ca = client.text("ca", "");
    read_console(top, config);
    return config;
}

bool OfficeConfig::may_request(const std::string& service) const {
    for (const auto& allowed : services) {
        if (allowed == "*" || allowed == service) return true;
        if (allowed.size() > 2 && allowed.ends_with(".*") &&
            service.rfind(allowed.substr(0, allowed.size() - 1), 0) == 0) {
            return true;
        }
    }
    return false;
}

bool OfficeConfig::may_call_back(const std::string& host) const {
    return std::find(callback_hosts.begin(), callback_hosts.end(), host) != callback_hosts.end();
}

int DispatchConfig::max_in_flight(int plugin_limit) const {
    if (plugin_limit > 0) return plugin_limit;
    if (registry_max_in_flight > 0) return registry_max_in_flight;
    return std::max(1, workers - std::max(1, workers / 4));
}

const OfficeConfig* Config::office(const std::string& id) const {
    for (const auto& office : offices) {
        if (office.id == id) return &office;
    }
    return nullptr;
}

const ConsoleUser* ConsoleConfig::user(const std::string& name) const {
    for (const auto& candidate : users) {
        if (candidate.name == name) return &candidate;
    }
    return nullptr;
}

Config load_config(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw ConfigError(path + ": cannot read the configuration file (give --config FILE or set VIKNO_CONFIG)");
    }
    std::stringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), path);
}

std::string default_config_path() {
    const char* env = std::getenv("VIKNO_CONFIG");
    return env != nullptr && *env != '\0' ? env : "config/vikno.jsonc";
}

}  // namespace vikno::gateway
