// Several gateway instances on one PostgreSQL (issue "Several gateways on one PostgreSQL"): cases
// submitted to any instance complete exactly once, a killed instance's work is taken over, and the
// instances keep one audit log.
#include "harness.h"

#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <map>
#include <sstream>
#include <thread>

using namespace vikno::testing;

namespace {

constexpr const char* kDispatch = R"({"workers": 2, "max_attempts": 20, "backoff_initial_ms": 50,
    "backoff_max_ms": 300, "connect_timeout_ms": 500, "request_timeout_ms": 5000})";

// Final case events per case in a pulled log ("completed" twice would be a case ended twice).
std::map<std::string, int> final_events(const std::string& entries_file) {
    std::map<std::string, int> finals;
    std::istringstream lines(read_file(entries_file));
    Poco::JSON::Parser parser;
    for (std::string line; std::getline(lines, line); parser.reset()) {
        const auto entry = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
        if (entry->optValue<std::string>("kind", "") == "case" &&
            entry->optValue<std::string>("status", "") == "completed") {
            ++finals[entry->getValue<std::string>("case_id")];
        }
    }
    return finals;
}

}  // namespace

TEST(MultiInstance, TwoGatewaysOnOnePostgresSurviveAKillAndKeepOneLog) {
    const std::string database = fresh_postgres_database();
    Stack a;
    a.postgres = database;
    a.start_simulator({"--latency-ms", "30"});
    Stack b;  // the second instance: same database, same registry
    b.postgres = database;
    b.sim_port = a.sim_port;
    a.start_gateway(kDispatch);
    b.start_gateway(kDispatch);

    std::vector<std::string> ids;
    for (int i = 0; i < 30; ++i) {
        Stack& to = (i < 12 && i % 2 == 0) ? a : b;
        ids.push_back(to.submit("birth-extract", unique_key("multi" + std::to_string(i))));
        b.track(ids.back(), "office-vinnytsia");
        if (i == 11) a.kill_gateway();  // with cases in flight; its claims free up when its lease lapses
    }
    a.start_gateway(kDispatch);  // back, as a new instance
    for (const auto& id : ids) {
        EXPECT_EQ(b.wait_final(id, std::chrono::seconds(40))->getValue<std::string>("status"), "completed") << id;
    }
    // Every case went to the registry under one message id and was carried out once.
    std::map<std::string, int> done;
    for (const auto& record : a.records()) {
        if (!record->getValue<bool>("replay")) ++done[record->getValue<std::string>("message_id")];
    }
    EXPECT_EQ(done.size(), ids.size());
    for (const auto& [message_id, times] : done) EXPECT_EQ(times, 1) << message_id;

    // One log for both instances: pulled, it verifies and ends each case once.
    EXPECT_EQ(a.stop_gateway(), 0);
    EXPECT_EQ(b.stop_gateway(), 0);
    const std::string pulled = a.dir + "/pulled";
    const auto pull = run_vikno({"audit", "pull", "--postgres", database, "--dir", pulled}, a.dir);
    ASSERT_EQ(pull.code, 0) << pull.output;
    const auto verified = run_vikno({"audit", "verify", "--dir", pulled, "--cert", pki("gateway-signing.crt")}, a.dir);
    EXPECT_EQ(verified.code, 0) << verified.output;
    EXPECT_NE(verified.output.find("entries sealed by the last one"), std::string::npos) << verified.output;
    const auto finals = final_events(pulled + "/entries.jsonl");
    EXPECT_EQ(finals.size(), ids.size());
    for (const auto& [case_id, times] : finals) EXPECT_EQ(times, 1) << case_id;
}

// One gateway on SQLite, migrated into PostgreSQL: the cases, an unfinished one included, and the
// audit log go on there as one history.
TEST(MultiInstance, AGatewayMigratedFromSqliteGoesOnOnPostgres) {
    Stack old;
    if (!old.postgres.empty()) GTEST_SKIP() << "migrates from the embedded store";
    old.start_simulator();
    old.start_gateway();
    const std::string done = old.submit("birth-extract", unique_key("before-migration"));
    EXPECT_EQ(old.wait_final(done)->getValue<std::string>("status"), "completed");
    ASSERT_EQ(old.stop_gateway(), 0);
    old.stop_simulator();  // the registry is down: the next case waits in the outbox
    old.start_gateway(R"({"workers": 1, "connect_timeout_ms": 100, "backoff_initial_ms": 50, "backoff_max_ms": 100,
                          "max_attempts": 100})");
    const std::string waiting = old.submit("death-extract", unique_key("waiting"));
    ASSERT_EQ(old.stop_gateway(), 0);

    const std::string database = fresh_postgres_database();
    const auto migrated = run_vikno(
        {"migrate", "--from", old.dir + "/vikno.db", "--audit", old.dir + "/audit", "--to", database}, old.dir);
    ASSERT_EQ(migrated.code, 0) << migrated.output;
    EXPECT_EQ(run_vikno({"migrate", "--from", old.dir + "/vikno.db", "--audit", old.dir + "/audit", "--to", database},
                        old.dir)
                  .code,
              2);  // never into a database that holds cases

    old.start_simulator();  // the registry is back, on its port
    Stack next;
    next.postgres = database;
    next.sim_port = old.sim_port;
    next.start_gateway();
    next.track(done, "office-vinnytsia");
    next.track(waiting, identity_for_sample("death-extract"));
    EXPECT_EQ(next.wait_final(done)->getValue<std::string>("status"), "completed");
    EXPECT_EQ(next.wait_final(waiting)->getValue<std::string>("status"), "completed");
    // The migrated cases are counted (once, after the copy) and so is what followed.
    const std::string metrics = http(next.gateway_address, "GET", "/metrics").body;
    EXPECT_NE(metrics.find("vikno_cases{status=\"completed\"} 2\n"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("vikno_cases{status=\"queued\"} 0\n"), std::string::npos) << metrics;
    EXPECT_EQ(next.stop_gateway(), 0);
    // The copied exchanges still keep no bytes of their own: they name the copied lines.
    const auto answered = next.stored_exchanges(done);
    ASSERT_EQ(answered.size(), 1U);
    EXPECT_TRUE(answered[0].refers_to_audit_entry);
    EXPECT_EQ(answered[0].bytes_in_row, 0U);
    EXPECT_NE(answered[0].response.find("BirthRecordExtractResponse"), std::string::npos);
    const auto tried = next.stored_exchanges(waiting);  // refused connections before, the answer after
    ASSERT_GE(tried.size(), 2U);
    for (const auto& exchange : tried) EXPECT_TRUE(exchange.refers_to_audit_entry && exchange.bytes_in_row == 0);
    EXPECT_TRUE(tried.back().request.starts_with("POST "));
    const std::string pulled = next.audit_dir();
    const auto verified =
        run_vikno({"audit", "verify", "--dir", pulled, "--cert", pki("gateway-signing.crt")}, next.dir);
    EXPECT_EQ(verified.code, 0) << verified.output;
    const auto before = read_file(old.dir + "/audit/entries.jsonl");
    EXPECT_EQ(read_file(pulled + "/entries.jsonl").rfind(before, 0), 0U);  // the old log, then what followed
}
