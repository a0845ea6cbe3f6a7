// A plugin that uses a function no library defines, as one built against another SDK does: the
// loader refuses it, and the gateway must pass on the loader's own words ("undefined symbol").
#include <vikno/plugin.h>

std::uint32_t vikno_test_function_nobody_defines() noexcept;

namespace missing_symbol {
std::uint32_t api_version() noexcept { return vikno_test_function_nobody_defines(); }
::vikno::RegistryPlugin* create() noexcept { return nullptr; }
}  // namespace missing_symbol
BOOST_DLL_ALIAS(missing_symbol::api_version, vikno_plugin_api_version)
BOOST_DLL_ALIAS(missing_symbol::create, vikno_create_plugin)
