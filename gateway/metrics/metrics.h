#pragma once
// Prometheus text exposition: cases by status (read from the store at scrape time) and a latency
// histogram of exchanges per registry.

#include <vikno/case.h>

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace vikno::gateway {

class Metrics {
public:
    /// One exchange with a registry; `result` is `answered` or `transport_error`.
    void observe_exchange(const std::string& registry, const std::string& result, double seconds);
    std::string render(const std::map<CaseStatus, std::int64_t>& cases_by_status) const;

private:
    static constexpr std::array<double, 11> kBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    struct Histogram {
        std::array<std::uint64_t, kBuckets.size()> buckets{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex mutex_;
    std::map<std::string, Histogram> latency_;                                // by registry
    std::map<std::pair<std::string, std::string>, std::uint64_t> exchanges_;  // (registry, result)
};

}  // namespace vikno::gateway
