#include <vikno/masking.h>

#include <cctype>

namespace vikno::masking {
namespace {

bool is_digit(char ch) noexcept { return ch >= '0' && ch <= '9'; }

std::size_t utf8_length(unsigned char lead) noexcept {
    if (lead < 0x80) return 1;
    if ((lead >> 5) == 0x6) return 2;
    if ((lead >> 4) == 0xE) return 3;
    if ((lead >> 3) == 0x1E) return 4;
    return 1;
}

// True when text[pos..pos+10) looks like YYYY-MM-DD.
bool date_at(std::string_view text, std::size_t pos) noexcept {
    if (pos + 10 > text.size()) return false;
    for (std::size_t i = 0; i < 10; ++i) {
        const char ch = text[pos + i];
        if (i == 4 || i == 7) {
            if (ch != '-') return false;
        } else if (!is_digit(ch)) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::string rnokpp(std::string_view value) {
    if (value.size() <= 4) {
        return std::string(value.size(), '*');
    }
    std::string masked(value);
    for (std::size_t i = 2; i + 2 < masked.size(); ++i) {
        masked[i] = '*';
    }
    return masked;
}

std::string name(std::string_view value) {
    if (value.empty()) {
        return {};
    }
    const std::size_t first = utf8_length(static_cast<unsigned char>(value[0]));
    std::string masked(value.substr(0, first));
    for (std::size_t i = first; i < value.size(); i += utf8_length(static_cast<unsigned char>(value[i]))) {
        masked += '*';
    }
    return masked;
}

std::string date(std::string_view value) { return value.empty() ? std::string() : std::string("****-**-**"); }

std::string scrub(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (date_at(text, i) && (i == 0 || !is_digit(text[i - 1])) &&
            (i + 10 == text.size() || !is_digit(text[i + 10]))) {
            out += "****-**-**";
            i += 10;
            continue;
        }
        if (is_digit(text[i]) && (i == 0 || !is_digit(text[i - 1]))) {
            std::size_t end = i;
            while (end < text.size() && is_digit(text[end])) ++end;
            if (end - i == 10) {
                out += rnokpp(text.substr(i, 10));
            } else {
                out.append(text.substr(i, end - i));
            }
            i = end;
            continue;
        }
        out += text[i++];
    }
    return out;
}

}  // namespace vikno::masking
