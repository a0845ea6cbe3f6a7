#pragma once
// iGov portal order ids: `nID_Server-nID_Protected`, where nID_Protected is the portal's process id
// with a Luhn check digit appended (so a mistyped id is caught before it reaches the portal).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vikno::igov {

/// The Luhn check digit for a string of digits.
char luhn_digit(std::string_view digits);

struct OrderId {
    std::uint32_t server = 0;
    std::string process;       ///< without the check digit
    std::string text() const;  ///< `server-process+digit`
};

/// Parses `N-NNNN…D`; nullopt when the form or the check digit is wrong.
std::optional<OrderId> parse_order_id(std::string_view text);

/// The portal's status types, and which change it allows.
bool is_status(std::string_view status);
bool transition_allowed(std::string_view from, std::string_view to);

}  // namespace vikno::igov
