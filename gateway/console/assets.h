#pragma once
// The console's page, script and style, compiled in from gateway/console/web/ (embed_assets.cmake).

#include <string_view>
#include <vector>

namespace vikno::gateway::console {

struct Asset {
    std::string_view name;  ///< the file name, served as /console/<name>
    std::string_view body;
};

const std::vector<Asset>& assets();

}  // namespace vikno::gateway::console
