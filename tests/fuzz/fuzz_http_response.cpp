// What a registry (or anything pretending to be one) writes back on the socket.
#include "transport/http_transport.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    vikno::RegistryAnswer answer;
    std::string error;
    (void)vikno::gateway::parse_http_response(bytes, answer, error);
    return 0;
}
