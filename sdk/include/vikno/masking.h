#pragma once
// Masking of personal data for operational logs. The audit log keeps exact bytes; nothing else may.

#include <string>
#include <string_view>

namespace vikno::masking {

/// `3652504575` -> `36******75`.
std::string rnokpp(std::string_view value);
/// `Шевченко` -> `Ш*******` (first letter kept, counted in characters, UTF-8 aware).
std::string name(std::string_view value);
/// `1990-05-17` -> `****-**-**`.
std::string date(std::string_view value);

/// Scrubs free text: any run of exactly 10 digits (a possible RNOKPP) and any YYYY-MM-DD date.
/// Used as the last line of defence in the log sink, not as a substitute for masking at the source.
std::string scrub(std::string_view text);

}  // namespace vikno::masking
