#pragma once
// The supervisors' figures (docs/console.md, "Quality"): per office, operator and service, how many
// cases, how they ended, how long they took and why some did not succeed; cases per day. Computed
// from the store's rows of one period, so that the page, its CSV and a test count the same cases.

#include "store/case_query.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vikno::gateway::console {

struct QualityGroup {
    std::string key;  ///< the office, operator or service
    std::int64_t cases = 0;
    std::int64_t completed = 0;  ///< completed or partly completed
    std::int64_t rejected = 0;
    std::int64_t failed = 0;
    std::int64_t cancelled = 0;
    std::int64_t in_progress = 0;  ///< not final yet
    /// Time from received to the final status, over the final cases; nullopt without any.
    std::optional<std::int64_t> median_ms;
    std::optional<std::int64_t> p90_ms;
    /// Why cases were rejected or failed: the final note, how many times.
    std::map<std::string, std::int64_t> reasons;
};

struct QualityReport {
    std::int64_t cases = 0;
    bool truncated = false;                                     ///< the period held more cases than were read
    std::vector<std::pair<std::string, std::int64_t>> per_day;  ///< UTC day, cases received; oldest first
    std::vector<QualityGroup> offices;
    std::vector<QualityGroup> operators;
    std::vector<QualityGroup> services;
};

/// The report over `rows` (one period's cases). `truncated`: the store had more than `rows`.
QualityReport quality_report(const std::vector<CaseRow>& rows, bool truncated);

/// Nearest-rank percentile (0 < p <= 1) of sorted values; nullopt when empty.
std::optional<std::int64_t> percentile(const std::vector<std::int64_t>& sorted, double p);

/// The report as JSON for the page, and as CSV (one line per group and per day) for a spreadsheet.
std::string quality_json(const QualityReport& report);
std::string quality_csv(const QualityReport& report);

}  // namespace vikno::gateway::console
