#pragma once
// Exponential backoff with full jitter: attempt n waits a random time in [d/2, d], where
// d = min(initial * 2^n, max). The jitter keeps many cases that failed together from retrying together.

#include <cstdint>
#include <random>

namespace vikno::gateway {

class Backoff {
public:
    Backoff(int initial_ms, int max_ms, std::uint64_t seed = std::random_device{}())
        : initial_ms_(initial_ms), max_ms_(max_ms), rng_(seed) {}

    /// Delay before the retry that follows `attempts` failed attempts (1 = after the first failure).
    std::int64_t delay_ms(int attempts) {
        std::int64_t ceiling = initial_ms_;
        for (int i = 1; i < attempts && ceiling < max_ms_; ++i) ceiling *= 2;
        if (ceiling > max_ms_) ceiling = max_ms_;
        return std::uniform_int_distribution<std::int64_t>(ceiling / 2, ceiling)(rng_);
    }

private:
    std::int64_t initial_ms_;
    std::int64_t max_ms_;
    std::mt19937_64 rng_;
};

}  // namespace vikno::gateway
