// A plugin built against the interface version before this one (as a plugin not rebuilt after an
// SDK upgrade is): the gateway must refuse it before creating it, naming both versions.
#include <vikno/plugin.h>

namespace wrong_version {
std::uint32_t api_version() noexcept { return ::vikno::kPluginApiVersion - 1; }
::vikno::RegistryPlugin* create() noexcept { return nullptr; }
}  // namespace wrong_version
BOOST_DLL_ALIAS(wrong_version::api_version, vikno_plugin_api_version)
BOOST_DLL_ALIAS(wrong_version::create, vikno_create_plugin)
