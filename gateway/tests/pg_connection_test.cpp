// The gateway's PostgreSQL connections: statement parameters as the server reads them (a text[] sent
// in binary arrives value for value), and the session every connection starts with.
#include "store/pg_connection.h"

#include "pg_test_conninfo.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace vikno::gateway;

namespace {

std::vector<std::string> round_trip(pg::Connection& db, const std::vector<std::string>& values) {
    const auto rows = db.exec("SELECT v FROM unnest($1::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n",
                              pg::Params().binary_text_array(values));
    std::vector<std::string> out;
    for (int i = 0; i < rows.rows(); ++i) out.push_back(rows.text(i, 0));
    return out;
}

}  // namespace

TEST(PgParams, ABinaryTextArrayArrivesValueForValue) {
    const std::string conninfo = vikno::testing::test_cluster_conninfo(VIKNO_TEST_PG_CONNINFO_FILE);
    if (conninfo.empty()) GTEST_SKIP() << "no test cluster";
    pg::Connection db(conninfo);
    const std::vector<std::string> values{"plain", "",      R"(quote " and \ backslash)", "{a,b}",
                                          "NULL",  "ДРАЦС", std::string(70000, 'x')};
    EXPECT_EQ(round_trip(db, values), values);
    EXPECT_EQ(round_trip(db, {}), std::vector<std::string>{});
    EXPECT_EQ(db.exec("SELECT cardinality($1::text[])", pg::Params().binary_text_array({})).integer(0, 0), 0);
    // The same values as a literal, for comparison: both forms mean one array.
    EXPECT_EQ(
        db.exec("SELECT $1::text[] = $2::text[]", pg::Params().binary_text_array(values).text_array(values)).text(0, 0),
        "t");
}

// A prepared statement is planned once, not at every call; a connection's own settings come after,
// and both survive a reconnect.
TEST(PgConnection, EverySessionUsesGenericPlansAndKeepsItsSettingsAcrossAReset) {
    const std::string conninfo = vikno::testing::test_cluster_conninfo(VIKNO_TEST_PG_CONNINFO_FILE);
    if (conninfo.empty()) GTEST_SKIP() << "no test cluster";
    pg::Connection db(conninfo, "SET synchronous_commit = off");
    const auto setting = [&](const char* name) {
        return db.exec("SELECT current_setting($1)", pg::Params().text(name)).text(0, 0);
    };
    EXPECT_EQ(setting("plan_cache_mode"), "force_generic_plan");
    EXPECT_EQ(setting("synchronous_commit"), "off");
    pg::Connection(conninfo).exec("SELECT pg_terminate_backend($1::integer)",
                                  pg::Params().integer(PQbackendPID(db.raw())));
    for (int i = 0; i < 200 && db.healthy(); ++i) {
        try {
            db.exec("SELECT 1");
        } catch (const std::exception&) {
            break;  // the server closed it
        }
    }
    db.reset();
    EXPECT_EQ(setting("plan_cache_mode"), "force_generic_plan");
    EXPECT_EQ(setting("synchronous_commit"), "off");
}
