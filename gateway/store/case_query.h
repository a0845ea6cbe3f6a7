#pragma once
// Finding cases by what a supervisor or an auditor knows (docs/console.md): the case id, office,
// operator, service, status and when it was received. Both stores run the same query, built here
// with each one's placeholders, so that the two cannot drift apart.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vikno::gateway {

/// Empty fields and zero times do not filter. Newest first, at most `limit` rows.
struct CaseQuery {
    std::string id{};
    std::string office{};
    std::string operator_id{};
    std::string service{};
    std::string status{};
    std::int64_t from_ms = 0;  ///< received at or after
    std::int64_t to_ms = 0;    ///< received before
    std::size_t limit = 200;
};

/// One case as a list shows it: no personal data, only where it is and why.
struct CaseRow {
    std::string id;
    std::string service;
    std::string office;
    std::string operator_id;
    std::string status;
    std::string parent_id;  ///< the life situation it is a step of, if any
    std::int64_t created_ms = 0;
    std::int64_t updated_ms = 0;  ///< for a final case: when it ended
    std::string last_note;        ///< the last status change's note (why a case failed, for one)
};

/// A statement and its parameters, in order: texts, then the times and the limit as numbers.
struct CaseSearch {
    std::string sql;
    std::vector<std::string> texts;
    std::vector<std::int64_t> numbers;
};

enum class SqlDialect { Sqlite, Postgres };

/// The search for `query`; its columns are CaseRow's, in the order of the struct.
CaseSearch case_search(const CaseQuery& query, SqlDialect dialect);

}  // namespace vikno::gateway
