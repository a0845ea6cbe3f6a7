#include "common/ids.h"

#include "common/clock.h"

#include <vikno/signing.h>

#include <openssl/rand.h>

#include <cstdint>
#include <stdexcept>

namespace vikno::gateway {

namespace {

void random_bytes(unsigned char* bytes, int count) {
    if (RAND_bytes(bytes, count) != 1) throw std::runtime_error("the random number generator failed");
}

std::string uuid_text(unsigned char (&bytes)[16], unsigned version) {
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | (version << 4));
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 9562 variant
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

}  // namespace

// From OpenSSL's CSPRNG (per-thread state, no lock): Poco's UUIDGenerator took a global mutex and
// was 3.6 % of the gateway's CPU under load, where every case and status change needs an id.
std::string new_uuid() {
    unsigned char bytes[16];
    random_bytes(bytes, sizeof bytes);
    return uuid_text(bytes, 4);
}

// RFC 9562, section 5.7: the first 48 bits are the Unix time in milliseconds, big-endian, the rest
// (but version and variant) random. A case's id is the key of the cases table and of every row that
// belongs to the case (history, outbox, exchanges, events, steps): with random ids each new case
// lands on a random leaf page of each of those indexes, so a commit dirties (and writes to the WAL)
// pages all over them, and with a large store most of those pages are no longer cached. Ids that
// grow with time put new cases on the same few rightmost pages.
std::string new_case_id() {
    unsigned char bytes[16];
    random_bytes(bytes + 6, 10);
    const auto ms = static_cast<std::uint64_t>(now_ms());
    for (int i = 0; i < 6; ++i) bytes[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
    return uuid_text(bytes, 7);
}

std::string sha256_hex(const std::string& text) { return crypto::sha256_hex(text); }

}  // namespace vikno::gateway
