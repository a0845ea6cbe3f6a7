#pragma once
// Latency samples of one phase and their percentiles (nearest rank), in
// milliseconds.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace vikno::bench {

class Latencies {
public:
    void add(double ms) { samples_.push_back(ms); }
    void merge(const Latencies& other) {
        samples_.insert(samples_.end(), other.samples_.begin(), other.samples_.end());
    }
    std::size_t count() const { return samples_.size(); }

    /// The p-th percentile (0 < p <= 100) by nearest rank; 0 with no samples.
    double percentile(double p) {
        if (samples_.empty()) return 0;
        if (!sorted_) {
            std::sort(samples_.begin(), samples_.end());
            sorted_ = true;
        }
        const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(samples_.size())));
        return samples_[std::clamp<std::size_t>(rank, 1, samples_.size()) - 1];
    }

private:
    std::vector<double> samples_;
    bool sorted_ = false;
};

}  // namespace vikno::bench
