#include <vikno/exchange.h>

#include <Poco/String.h>

namespace vikno {

std::string RegistryAnswer::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (Poco::icompare(key, std::string(name)) == 0) {
            return value;
        }
    }
    return {};
}

}  // namespace vikno
