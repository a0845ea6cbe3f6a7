// GET /console/api/quality[.csv]: the figures of one period (default: the last 7 days), for the
// supervisor's own office or, for an auditor, any office or all.

#include "common/clock.h"
#include "console/endpoints.h"
#include "console/quality.h"

namespace vikno::gateway::console {
namespace {

// Enough for a large CNAP's month (Kharkiv: 6,000 a day); beyond it the report says truncated.
constexpr std::size_t kMaxRows = 200000;

}  // namespace

void quality(Call& call, bool csv) {
    CaseQuery query;
    query.office = call.office_scope();
    query.service = call.param("service");
    query.operator_id = call.param("operator");
    query.to_ms = 0;
    query.from_ms = now_ms() - 7LL * 86400000;
    if (!read_days(call, query)) return;
    query.limit = kMaxRows + 1;
    auto rows = call.context.store.search(query);
    const bool truncated = rows.size() > kMaxRows;
    if (truncated) rows.resize(kMaxRows);
    const auto report = quality_report(rows, truncated);
    if (csv) {
        const std::string scope = query.office.empty() ? "all-offices" : query.office;
        return send_download(call, "text/csv; charset=utf-8", "quality-" + scope + ".csv", quality_csv(report));
    }
    send_json(call, 200, quality_json(report));
}

}  // namespace vikno::gateway::console
