#include "common/ids.h"

#include <vikno/signing.h>

#include <openssl/rand.h>

#include <stdexcept>

namespace vikno::gateway {

// From OpenSSL's CSPRNG (per-thread state, no lock): Poco's UUIDGenerator took a global mutex and
// was 3.6 % of the gateway's CPU under load, where every case and status change needs an id.
std::string new_uuid() {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("the random number generator failed");
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text;
    text.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
        text += kHex[bytes[i] >> 4];
        text += kHex[bytes[i] & 0x0F];
    }
    return text;
}

std::string sha256_hex(const std::string& text) { return crypto::sha256_hex(text); }

}  // namespace vikno::gateway
