#include <vikno/signing.h>

#include <array>
#include <string>

namespace vikno::crypto {
namespace {

const std::array<Algorithm, 2>& strong() {
    static const std::array<Algorithm, 2> table{{
        {"ecdsa-p256-sha256", "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", "ES256"},
        {"rsa-v1_5-sha256", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "RS256"},
    }};
    return table;
}

}  // namespace

const Algorithm& ecdsa_p256_sha256() { return strong()[0]; }
const Algorithm& rsa_pkcs1_sha256() { return strong()[1]; }

const Algorithm* algorithm_by_name(std::string_view name) {
    for (const auto& algorithm : strong()) {
        if (algorithm.name == name) return &algorithm;
    }
    return nullptr;
}

const Algorithm* algorithm_by_xmldsig_uri(std::string_view uri) {
    for (const auto& algorithm : strong()) {
        if (algorithm.xmldsig_uri == uri) return &algorithm;
    }
    return nullptr;
}

bool is_weak_algorithm(std::string_view id) {
    const std::string lower = [&] {
        std::string s(id);
        for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        return s;
    }();
    return lower.find("sha1") != std::string::npos || lower.find("sha-1") != std::string::npos ||
           lower.find("md5") != std::string::npos || lower == "rs1" || lower == "hs1";
}

}  // namespace vikno::crypto
