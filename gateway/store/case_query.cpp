#include "store/case_query.h"

namespace vikno::gateway {

CaseSearch case_search(const CaseQuery& query, SqlDialect dialect) {
    const bool pg = dialect == SqlDialect::Postgres;
    // The operator is inside the stored submission; reading it there keeps the submission's
    // statement, the hottest one, as it is.
    const std::string operator_of = pg ? "COALESCE(c.submission::jsonb -> 'office' ->> 'operator', '')"
                                       : "COALESCE(json_extract(c.submission, '$.office.operator'), '')";
    CaseSearch out;
    int index = 0;
    const auto placeholder = [&] { return pg ? "$" + std::to_string(++index) : std::string("?"); };
    std::string where;
    const auto text_filter = [&](const std::string& value, const std::string& column) {
        if (value.empty()) return;
        where += (where.empty() ? " WHERE " : " AND ") + column + " = " + placeholder();
        out.texts.push_back(value);
    };
    text_filter(query.id, "c.id");
    text_filter(query.office, "c.office_id");
    text_filter(query.operator_id, operator_of);
    text_filter(query.service, "c.service");
    text_filter(query.status, "c.status");
    const auto time_filter = [&](std::int64_t value, const char* comparison) {
        if (value == 0) return;
        where += std::string(where.empty() ? " WHERE " : " AND ") + "c.created_ms " + comparison + " " + placeholder();
        out.numbers.push_back(value);
    };
    time_filter(query.from_ms, ">=");
    time_filter(query.to_ms, "<");
    out.sql = "SELECT c.id, c.service, c.office_id, " + operator_of +
              ", c.status, COALESCE(c.parent_id, ''), c.created_ms, c.updated_ms, COALESCE((SELECT h.note FROM "
              "case_history h WHERE h.case_id = c.id ORDER BY " +
              (pg ? "h.id" : "h.rowid") + " DESC LIMIT 1), '') FROM cases c" + where +
              " ORDER BY c.created_ms DESC LIMIT " + placeholder();
    out.numbers.push_back(static_cast<std::int64_t>(query.limit));
    return out;
}

}  // namespace vikno::gateway
