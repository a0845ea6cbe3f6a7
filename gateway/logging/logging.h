#pragma once
// Operational logging with spdlog. Callers mask personal data at the source (vikno/masking.h); the
// sink scrubs every line once more (10-digit numbers, dates), so a slip does not leak an RNOKPP.

#include "config/config.h"

namespace vikno::gateway {

/// Installs the default logger: level and destination from the configuration. Throws ConfigError
/// when the log file cannot be opened.
void setup_logging(const LogConfig& config, const std::string& config_source);

}  // namespace vikno::gateway
