#include "plugin_host/plugin_host.h"

#include <vikno/case_json.h>

#include <boost/dll/shared_library.hpp>

#include <dlfcn.h>

#include <Poco/File.h>
#include <Poco/Path.h>

namespace vikno::gateway {
namespace {

using ApiVersionFn = std::uint32_t() noexcept;
using CreateFn = RegistryPlugin*() noexcept;
using LastErrorFn = const char*() noexcept;

// Boost.DLL reports a failed load as an errno ("Bad file descriptor") and drops the loader's own
// words, which are what an author needs ("undefined symbol: ..."): ask the loader again.
std::string loader_message(const std::string& path, const std::string& fallback) {
    dlerror();
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    const char* why = dlerror();
    std::string message = why != nullptr ? why : fallback;
    if (handle != nullptr) dlclose(handle);
    // dlerror() starts with the path itself; the refusal already names it.
    if (message.rfind(path + ": ", 0) == 0) message = message.substr(path.size() + 2);
    return message;
}

std::string resolve(const std::string& dir, const std::string& file) {
    Poco::Path path(file);
    if (path.isAbsolute()) return file;
    return Poco::Path(Poco::Path(dir).makeDirectory(), path).toString();
}

}  // namespace

std::shared_ptr<RegistryPlugin> load_plugin_library(const std::string& path) {
    if (!Poco::File(path).exists()) {
        throw PluginLoadError(path +
                              ": no such plugin library (check plugins.dir and plugins.load[].file; "
                              "build the plugins with 'make build')");
    }
    auto library = std::make_shared<boost::dll::shared_library>();
    boost::system::error_code error;
    library->load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, error);
    if (error) {
        throw PluginLoadError(
            path + ": cannot be loaded as a shared library: " + loader_message(path, error.message()) +
            " (built against another SDK or its libraries? `ldd -r " + path + "` lists what is missing)");
    }
    if (!library->has("vikno_plugin_api_version") || !library->has("vikno_create_plugin")) {
        throw PluginLoadError(path +
                              ": not a Vikno plugin: it does not export vikno_plugin_api_version and "
                              "vikno_create_plugin (use VIKNO_PLUGIN(YourPluginClass) from <vikno/plugin.h>)");
    }
    const std::uint32_t version = library->get_alias<ApiVersionFn>("vikno_plugin_api_version")();
    if (version != kPluginApiVersion) {
        throw PluginLoadError(path + ": built for plugin interface version " + std::to_string(version) +
                              ", this gateway speaks version " + std::to_string(kPluginApiVersion) +
                              "; rebuild the plugin against this gateway's SDK");
    }
    RegistryPlugin* raw = library->get_alias<CreateFn>("vikno_create_plugin")();
    if (raw == nullptr) {
        std::string why;
        if (library->has("vikno_plugin_last_error")) why = library->get_alias<LastErrorFn>("vikno_plugin_last_error")();
        throw PluginLoadError(
            path + ": the plugin's constructor failed" +
            (why.empty() ? std::string(" (no message: it threw something that is not a std::exception)") : ": " + why));
    }
    // The deleter owns a reference to the library: the code is unmapped only after the object is gone.
    return std::shared_ptr<RegistryPlugin>(raw, [library](RegistryPlugin* plugin) { delete plugin; });
}

PluginHost::PluginHost(const Config& config) {
    for (std::size_t index = 0; index < config.plugins.size(); ++index) {
        const auto& entry = config.plugins[index];
        const std::string path = resolve(config.plugin_dir, entry.file);
        LoadedPlugin loaded;
        loaded.path = path;
        loaded.plugin = load_plugin_library(path);
        loaded.descriptor = loaded.plugin->describe();
        loaded.endpoint = entry.endpoint;
        loaded.config_index = index;
        if (auto configured = loaded.plugin->configure(entry.settings); !configured) {
            throw PluginLoadError(path + ": refused its settings in " + config.source + ": " +
                                  configured.error().message);
        }
        for (const auto& service : loaded.descriptor.services) {
            if (auto it = by_service_.find(service.code); it != by_service_.end()) {
                throw PluginLoadError(path + ": service '" + service.code + "' is already offered by " +
                                      plugins_[it->second].path + "; remove one of them from " + config.source);
            }
            by_service_[service.code] = plugins_.size();
        }
        plugins_.push_back(std::move(loaded));
    }
}

const LoadedPlugin* PluginHost::for_service(const std::string& service_code) const {
    auto it = by_service_.find(service_code);
    return it == by_service_.end() ? nullptr : &plugins_[it->second];
}

void refuse_unreadable_document(Interpretation& meaning, const std::string& plugin_name) {
    if (meaning.outcome.document_json.empty() || parse_outcome_document(meaning.outcome.document_json)) return;
    meaning.verdict = Verdict::Failed;
    meaning.reason = "the " + plugin_name + " plugin gave an outcome document that is not a JSON object";
    meaning.next.reset();
    meaning.awaiting.clear();
    meaning.outcome = Outcome{"", "Помилка модуля реєстру: результат не вдалося прочитати",
                              "Registry plugin error: its result could not be read", ""};
}

}  // namespace vikno::gateway
