#include "order_id.h"

#include <array>
#include <utility>

namespace vikno::igov {
namespace {

constexpr std::array<std::string_view, 6> kStatuses{"created", "opened",         "in_progress", "documents_requested",
                                                    "closed",  "closed-rejected"};
constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kTransitions{{
    {"created", "opened"},
    {"opened", "in_progress"},
    {"in_progress", "documents_requested"},
    {"in_progress", "closed"},
    {"in_progress", "closed-rejected"},
    {"documents_requested", "in_progress"},
    {"documents_requested", "closed-rejected"},
}};

bool all_digits(std::string_view text) {
    if (text.empty()) return false;
    for (const char ch : text) {
        if (ch < '0' || ch > '9') return false;
    }
    return true;
}

}  // namespace

char luhn_digit(std::string_view digits) {
    int total = 0;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        int d = digits[digits.size() - 1 - i] - '0';
        if (i % 2 == 0) {
            d *= 2;
            if (d > 9) d -= 9;
        }
        total += d;
    }
    return static_cast<char>('0' + (10 - total % 10) % 10);
}

std::string OrderId::text() const { return std::to_string(server) + "-" + process + luhn_digit(process); }

std::optional<OrderId> parse_order_id(std::string_view text) {
    const auto dash = text.find('-');
    if (dash == std::string_view::npos || dash == 0 || dash > 4) return std::nullopt;
    const std::string_view server = text.substr(0, dash);
    const std::string_view protected_id = text.substr(dash + 1);
    if (!all_digits(server) || !all_digits(protected_id) || protected_id.size() < 2 || protected_id.size() > 12) {
        return std::nullopt;
    }
    const std::string_view process = protected_id.substr(0, protected_id.size() - 1);
    if (luhn_digit(process) != protected_id.back()) return std::nullopt;
    return OrderId{static_cast<std::uint32_t>(std::stoul(std::string(server))), std::string(process)};
}

bool is_status(std::string_view status) {
    for (const auto s : kStatuses) {
        if (s == status) return true;
    }
    return false;
}

bool transition_allowed(std::string_view from, std::string_view to) {
    for (const auto& [a, b] : kTransitions) {
        if (a == from && b == to) return true;
    }
    return false;
}

}  // namespace vikno::igov
