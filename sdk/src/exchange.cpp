#include <vikno/exchange.h>

#include <Poco/String.h>

namespace vikno {

std::string find_header(const Headers& headers, std::string_view name) {
    for (const auto& [key, value] : headers) {
        if (Poco::icompare(key, std::string(name)) == 0) {
            return value;
        }
    }
    return {};
}

}  // namespace vikno
