#include "metrics/metrics.h"

#include <sstream>

namespace vikno::gateway {

void Metrics::observe_exchange(const std::string& registry, const std::string& result, double seconds) {
    std::lock_guard lock(mutex_);
    auto& histogram = latency_[registry];
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i]) ++histogram.buckets[i];
    }
    ++histogram.count;
    histogram.sum += seconds;
    ++exchanges_[{registry, result}];
}

std::string Metrics::render(const std::map<CaseStatus, std::int64_t>& cases_by_status) const {
    std::ostringstream out;
    out << "# HELP vikno_cases Cases in the store by status.\n# TYPE vikno_cases gauge\n";
    for (const auto status : {CaseStatus::Received, CaseStatus::Queued, CaseStatus::Sending,
                              CaseStatus::AwaitingRegistry, CaseStatus::Completed, CaseStatus::Rejected,
                              CaseStatus::Failed, CaseStatus::PartlyCompleted, CaseStatus::Cancelled}) {
        const auto it = cases_by_status.find(status);
        out << "vikno_cases{status=\"" << to_string(status) << "\"} " << (it == cases_by_status.end() ? 0 : it->second)
            << "\n";
    }
    std::lock_guard lock(mutex_);
    out << "# HELP vikno_registry_exchanges_total Exchanges with registries by result.\n"
        << "# TYPE vikno_registry_exchanges_total counter\n";
    for (const auto& [key, count] : exchanges_) {
        out << "vikno_registry_exchanges_total{registry=\"" << key.first << "\",result=\"" << key.second << "\"} "
            << count << "\n";
    }
    out << "# HELP vikno_registry_exchange_seconds Time from sending a request to a registry to its answer.\n"
        << "# TYPE vikno_registry_exchange_seconds histogram\n";
    for (const auto& [registry, h] : latency_) {
        for (std::size_t i = 0; i < kBuckets.size(); ++i) {
            out << "vikno_registry_exchange_seconds_bucket{registry=\"" << registry << "\",le=\"" << kBuckets[i]
                << "\"} " << h.buckets[i] << "\n";
        }
        out << "vikno_registry_exchange_seconds_bucket{registry=\"" << registry << "\",le=\"+Inf\"} " << h.count
            << "\n";
        out << "vikno_registry_exchange_seconds_sum{registry=\"" << registry << "\"} " << h.sum << "\n";
        out << "vikno_registry_exchange_seconds_count{registry=\"" << registry << "\"} " << h.count << "\n";
    }
    return out.str();
}

}  // namespace vikno::gateway
