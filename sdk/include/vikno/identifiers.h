#pragma once
// Validators for Ukrainian identifiers. Each returns true only for a well-formed value with a
// correct check digit where the identifier has one.

#include <string_view>

namespace vikno::identifiers {

/// РНОКПП (taxpayer card number): 10 digits; check digit =
/// (Σ dᵢ·wᵢ over the first nine digits, w = -1,5,7,9,4,6,10,5,7) mod 11 mod 10.
bool is_valid_rnokpp(std::string_view value) noexcept;

/// ЄДРПОУ (legal entity code): 8 digits; weights 1..7 (or 7,1..6 for codes 30000000-59999999);
/// when the remainder mod 11 is 10, a second pass with every weight +2; the result mod 10.
bool is_valid_edrpou(std::string_view value) noexcept;

/// УНЗР (demographic register record number): YYYYMMDD-NNNNN with a real calendar date.
bool is_valid_unzr(std::string_view value) noexcept;

/// Passport booklet: two Cyrillic capital letters (UTF-8) followed by six digits, e.g. `МЕ123456`.
bool is_valid_passport_number(std::string_view value) noexcept;

/// ID card: nine digits.
bool is_valid_id_card_number(std::string_view value) noexcept;

/// Cadastral number of a land parcel: NNNNNNNNNN:NN:NNN:NNNN.
bool is_valid_cadastral_number(std::string_view value) noexcept;

/// Series of a civil status certificate (birth, marriage, death): a Roman numeral in Latin capitals
/// (I V X L C; the Cyrillic І is accepted for I), a hyphen and two Cyrillic capitals, e.g. `I-АМ`.
bool is_valid_civil_certificate_series(std::string_view value) noexcept;

/// Number of a civil status certificate: six digits.
bool is_valid_civil_certificate_number(std::string_view value) noexcept;

/// A calendar date written YYYY-MM-DD (leap years respected).
bool is_valid_iso_date(std::string_view value) noexcept;

}  // namespace vikno::identifiers
