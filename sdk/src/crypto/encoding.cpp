#include <vikno/signing.h>

#include <openssl/evp.h>

#include <array>

namespace vikno::crypto {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int value_of(char ch) {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+') return 62;
    if (ch == '/') return 63;
    return -1;
}

}  // namespace

std::string sha256(std::string_view data) {
    std::array<unsigned char, 32> digest{};
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
    return {reinterpret_cast<const char*>(digest.data()), length};
}

std::string sha256_hex(std::string_view data) {
    static constexpr std::string_view kDigits = "0123456789abcdef";
    std::string out;
    for (const char ch : sha256(data)) {
        const auto byte = static_cast<unsigned char>(ch);
        out += kDigits[byte >> 4];
        out += kDigits[byte & 15];
    }
    return out;
}

std::string base64(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const auto n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += kAlphabet[n & 63];
    }
    if (i + 1 == bytes.size()) {
        const auto n = static_cast<unsigned char>(bytes[i]) << 16;
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += "==";
    } else if (i + 2 == bytes.size()) {
        const auto n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += '=';
    }
    return out;
}

std::string base64url(std::string_view bytes) {
    std::string text = base64(bytes);
    while (!text.empty() && text.back() == '=') text.pop_back();
    for (auto& ch : text) {
        if (ch == '+') ch = '-';
        if (ch == '/') ch = '_';
    }
    return text;
}

Result<std::string> base64_decode(std::string_view text) {
    std::string clean;
    for (const char ch : text) {
        if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t') continue;
        clean += ch;
    }
    if (clean.size() % 4 != 0) return Error{"base64_invalid", "the length is not a multiple of 4"};
    std::string out;
    out.reserve(clean.size() / 4 * 3);
    for (std::size_t i = 0; i < clean.size(); i += 4) {
        int v[4];
        int padding = 0;
        for (int k = 0; k < 4; ++k) {
            const char ch = clean[i + static_cast<std::size_t>(k)];
            if (ch == '=' && i + 4 == clean.size() && k >= 2) {
                v[k] = 0;
                ++padding;
                continue;
            }
            if (padding > 0 || (v[k] = value_of(ch)) < 0) {
                return Error{"base64_invalid",
                             "unexpected character at " + std::to_string(i + static_cast<std::size_t>(k))};
            }
        }
        const auto n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
        out += static_cast<char>((n >> 16) & 0xFF);
        if (padding < 2) out += static_cast<char>((n >> 8) & 0xFF);
        if (padding < 1) out += static_cast<char>(n & 0xFF);
    }
    return out;
}

}  // namespace vikno::crypto
