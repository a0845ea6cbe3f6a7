#pragma once
// The baseline: the same cases sent straight to the registry simulator, without
// the gateway. Each case costs what any direct client of the registry must do:
// build the request (the plugin's translate), sign it, send it over mutual TLS,
// check the answer's signature and read it. No API, no store, no audit log: the
// gateway's cost is the difference.

#include <cstdint>
#include <string>

namespace vikno::bench {

struct DirectResult {
    std::int64_t completed = 0;
    std::int64_t errors = 0;
    double seconds = 0;
    double p50_ms = 0, p99_ms = 0, p999_ms = 0;
    std::string first_error;
};

/// Runs `threads` parallel senders for `seconds`, using the plugins, keys and
/// registry trust of the gateway configuration at `config_path`, and the case
/// in `case_json`.
DirectResult run_direct(const std::string& config_path, const std::string& case_json, int threads, double seconds);

}  // namespace vikno::bench
