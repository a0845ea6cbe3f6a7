#pragma once
// Result types that cross the plugin boundary. Plugins never throw into the gateway: every
// fallible call returns one of these instead.

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace vikno {

/// One problem with one input field. `field` is a dotted path into the case JSON
/// (for example `applicant.rnokpp` or `subject.child.birth_date`).
struct FieldError {
    std::string field;
    std::string reason;

    bool operator==(const FieldError&) const = default;
};

using FieldErrors = std::vector<FieldError>;

/// A failure with a stable machine code (`snake_case`) and a human-readable message.
struct Error {
    std::string code;
    std::string message;
};

/// Either a value or an error of type E. Deliberately small: `ok()`, `value()`, `error()`.
template <typename T, typename E = Error>
class Result {
public:
    Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
    Result(E error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    const E& error() const& { return std::get<1>(state_); }

private:
    std::variant<T, E> state_;
};

}  // namespace vikno
