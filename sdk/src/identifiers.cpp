#include <vikno/identifiers.h>

#include <array>
#include <cstdint>

namespace vikno::identifiers {
namespace {

bool all_digits(std::string_view value) noexcept {
    if (value.empty()) {
        return false;
    }
    for (const char ch : value) {
        if (ch < '0' || ch > '9') {
            return false;
        }
    }
    return true;
}

int digit(char ch) noexcept { return ch - '0'; }

int edrpou_remainder(std::string_view code, const std::array<int, 7>& weights, int extra) noexcept {
    int sum = 0;
    for (std::size_t i = 0; i < 7; ++i) {
        sum += digit(code[i]) * (weights[i] + extra);
    }
    return sum % 11;
}

bool is_leap(int year) noexcept { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

bool is_calendar_date(int year, int month, int day) noexcept {
    static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1800 || month < 1 || month > 12 || day < 1) {
        return false;
    }
    const int days_in_month = kDays[static_cast<std::size_t>(month - 1)] + ((month == 2 && is_leap(year)) ? 1 : 0);
    return day <= days_in_month;
}

int number(std::string_view digits) noexcept {
    int result = 0;
    for (const char ch : digits) {
        result = result * 10 + digit(ch);
    }
    return result;
}

// One Ukrainian Cyrillic capital letter, encoded in UTF-8 (2 bytes: D0 80..D0 AF, plus Ґ Є І Ї).
bool is_cyrillic_capital(std::string_view two_bytes) noexcept {
    const auto b0 = static_cast<unsigned char>(two_bytes[0]);
    const auto b1 = static_cast<unsigned char>(two_bytes[1]);
    if (b0 == 0xD0 && b1 >= 0x90 && b1 <= 0xAF) {  // А..Я
        return true;
    }
    if (b0 == 0xD0 && (b1 == 0x84 || b1 == 0x86 || b1 == 0x87)) {  // Є І Ї
        return true;
    }
    return b0 == 0xD2 && b1 == 0x90;  // Ґ
}

}  // namespace

bool is_valid_rnokpp(std::string_view value) noexcept {
    if (value.size() != 10 || !all_digits(value)) {
        return false;
    }
    static constexpr std::array<int, 9> kWeights{-1, 5, 7, 9, 4, 6, 10, 5, 7};
    int sum = 0;
    for (std::size_t i = 0; i < 9; ++i) {
        sum += digit(value[i]) * kWeights[i];
    }
    // C++ % keeps the sign of the dividend; the rule wants the mathematical remainder.
    const int check = ((sum % 11) + 11) % 11 % 10;
    return check == digit(value[9]);
}

bool is_valid_edrpou(std::string_view value) noexcept {
    if (value.size() != 8 || !all_digits(value)) {
        return false;
    }
    static constexpr std::array<int, 7> kLow{1, 2, 3, 4, 5, 6, 7};
    static constexpr std::array<int, 7> kMiddle{7, 1, 2, 3, 4, 5, 6};
    const int code = number(value);
    const auto& weights = (code >= 30000000 && code < 60000000) ? kMiddle : kLow;
    int remainder = edrpou_remainder(value, weights, 0);
    if (remainder == 10) {
        remainder = edrpou_remainder(value, weights, 2);
    }
    return remainder % 10 == digit(value[7]);
}

bool is_valid_iso_date(std::string_view value) noexcept {
    if (value.size() != 10 || value[4] != '-' || value[7] != '-') {
        return false;
    }
    const auto year = value.substr(0, 4);
    const auto month = value.substr(5, 2);
    const auto day = value.substr(8, 2);
    if (!all_digits(year) || !all_digits(month) || !all_digits(day)) {
        return false;
    }
    return is_calendar_date(number(year), number(month), number(day));
}

bool is_valid_unzr(std::string_view value) noexcept {
    if (value.size() != 14 || value[8] != '-') {
        return false;
    }
    const auto date = value.substr(0, 8);
    const auto serial = value.substr(9);
    if (!all_digits(date) || !all_digits(serial)) {
        return false;
    }
    return is_calendar_date(number(date.substr(0, 4)), number(date.substr(4, 2)), number(date.substr(6, 2)));
}

bool is_valid_passport_number(std::string_view value) noexcept {
    // Two 2-byte UTF-8 letters, then six ASCII digits.
    return value.size() == 10 && is_cyrillic_capital(value.substr(0, 2)) && is_cyrillic_capital(value.substr(2, 2)) &&
           all_digits(value.substr(4));
}

bool is_valid_civil_certificate_series(std::string_view value) noexcept {
    const auto dash = value.find('-');
    if (dash == std::string_view::npos || value.size() != dash + 5) {
        return false;
    }
    std::size_t numerals = 0;
    for (std::size_t i = 0; i < dash; ++numerals) {
        if (std::string_view("IVXLC").find(value[i]) != std::string_view::npos) {
            ++i;
        } else if (value.substr(i, 2) == "\xD0\x86") {  // Cyrillic І
            i += 2;
        } else {
            return false;
        }
    }
    return numerals >= 1 && numerals <= 5 && is_cyrillic_capital(value.substr(dash + 1, 2)) &&
           is_cyrillic_capital(value.substr(dash + 3, 2));
}

bool is_valid_civil_certificate_number(std::string_view value) noexcept {
    return value.size() == 6 && all_digits(value);
}

bool is_valid_id_card_number(std::string_view value) noexcept { return value.size() == 9 && all_digits(value); }

bool is_valid_cadastral_number(std::string_view value) noexcept {
    static constexpr std::array<std::size_t, 4> kGroups{10, 2, 3, 4};
    std::size_t position = 0;
    for (std::size_t i = 0; i < kGroups.size(); ++i) {
        if (position + kGroups[i] > value.size() || !all_digits(value.substr(position, kGroups[i]))) {
            return false;
        }
        position += kGroups[i];
        if (i + 1 < kGroups.size()) {
            if (position >= value.size() || value[position] != ':') {
                return false;
            }
            ++position;
        }
    }
    return position == value.size();
}

}  // namespace vikno::identifiers
