#include <vikno/plugin_settings.h>

namespace vikno {

Result<bool> read_settings(const PluginSettings& values, const SettingTargets& known) {
    for (const auto& [key, value] : values) {
        bool matched = false;
        for (const auto& [name, target] : known) {
            if (name == key) {
                *target = value;
                matched = true;
            }
        }
        if (!matched) {
            std::string names;
            for (const auto& [name, target] : known) names += (names.empty() ? "" : ", ") + name;
            return Error{"unknown_setting", "unknown setting '" + key + "'; known: " + names};
        }
    }
    return true;
}

}  // namespace vikno
