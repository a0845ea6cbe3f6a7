#pragma once
// Reading `plugins.load[].settings` into a plugin's own fields: each known key writes one string;
// an unknown key (a typo) is refused with the list of known ones, so it never passes silently.

#include <vikno/plugin.h>

#include <string>
#include <utility>
#include <vector>

namespace vikno {

using SettingTargets = std::vector<std::pair<std::string, std::string*>>;

/// Error `unknown_setting` naming the key and the known ones.
Result<bool> read_settings(const PluginSettings& values, const SettingTargets& known);

}  // namespace vikno
