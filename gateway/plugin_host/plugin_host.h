#pragma once
// Loads registry plugins (shared libraries) with Boost.DLL and routes service codes to them.
// A plugin object holds a reference to its library, so the code stays mapped while it lives.

#include "config/config.h"

#include <vikno/plugin.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace vikno::gateway {

class PluginLoadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct LoadedPlugin {
    std::string path;
    PluginDescriptor descriptor;
    std::shared_ptr<RegistryPlugin> plugin;
    std::string endpoint;
    std::size_t config_index = 0;  ///< its entry in config.plugins (and Credentials::registry)
};

/// Loads one library and creates its plugin. Refused (PluginLoadError naming the file and the
/// reason): not loadable, no factory, another interface version, the factory fails.
std::shared_ptr<RegistryPlugin> load_plugin_library(const std::string& path);

/// Keeps a plugin's defect out of the store: an outcome document that is not one JSON object turns
/// the answer into Failed, naming the plugin, instead of keeping text no client could read.
void refuse_unreadable_document(Interpretation& meaning, const std::string& plugin_name);

class PluginHost {
public:
    /// Loads and configures every plugin the configuration lists; refuses a service code offered
    /// twice. Throws PluginLoadError.
    explicit PluginHost(const Config& config);

    /// The plugin offering this service, or null.
    const LoadedPlugin* for_service(const std::string& service_code) const;
    const std::vector<LoadedPlugin>& plugins() const { return plugins_; }

private:
    std::vector<LoadedPlugin> plugins_;
    std::map<std::string, std::size_t> by_service_;
};

}  // namespace vikno::gateway
