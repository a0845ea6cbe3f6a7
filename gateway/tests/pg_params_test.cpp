// Statement parameters as the server reads them: a text[] sent in binary arrives value for value.
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
