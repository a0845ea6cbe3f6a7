#pragma once
// Wall-clock time in the forms the store and the API use.

#include <cstdint>
#include <string>

namespace vikno::gateway {

/// Milliseconds since the Unix epoch.
std::int64_t now_ms();
/// RFC 3339 UTC with milliseconds: 2026-11-26T08:15:02.123Z
std::string rfc3339(std::int64_t epoch_ms);

}  // namespace vikno::gateway
