// A plugin built against another interface version: the gateway must refuse it before creating it.
#include <vikno/plugin.h>

namespace wrong_version {
std::uint32_t api_version() noexcept { return 999; }
::vikno::RegistryPlugin* create() noexcept { return nullptr; }
}  // namespace wrong_version
BOOST_DLL_ALIAS(wrong_version::api_version, vikno_plugin_api_version)
BOOST_DLL_ALIAS(wrong_version::create, vikno_create_plugin)
