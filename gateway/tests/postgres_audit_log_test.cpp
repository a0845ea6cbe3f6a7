// The audit log shared by several instances: every instance queues, one sequences at a time, and
// another takes over when it goes; the pulled files verify as one log.
#include "audit/postgres_audit_log.h"
#include "audit/log_verifier.h"
#include "audit_test_key.h"
#include "common/ids.h"
#include "store/pg_connection.h"

#include "pg_test_conninfo.h"

#include <Poco/File.h>
#include <Poco/JSON/Object.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

using namespace vikno;
using namespace vikno::gateway;
using namespace vikno::gateway::audit;

namespace {

using audit_testing::key;

Poco::JSON::Object::Ptr entry(const std::string& who, int n) {
    Poco::JSON::Object::Ptr e = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    e->set("kind", "test");
    e->set("instance", who);
    e->set("n", n);
    return e;
}

// A schema of its own on the CTest fixture's cluster.
std::string fresh_database() {
    const std::string base = vikno::testing::test_cluster_conninfo(VIKNO_TEST_PG_CONNINFO_FILE);
    if (base.empty()) return "";
    const std::string schema = "a_" + new_uuid().substr(0, 8);
    pg::Connection(base).exec_script(("CREATE SCHEMA " + schema).c_str());
    return base + " options='-c search_path=" + schema + "'";
}

template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds within = std::chrono::seconds(5)) {
    const auto until = std::chrono::steady_clock::now() + within;
    while (!condition() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return condition();
}

}  // namespace

TEST(PostgresAuditLog, InstancesShareOneLogAndASecondSequencerTakesOver) {
    const std::string conninfo = fresh_database();
    ASSERT_FALSE(conninfo.empty()) << "no PostgreSQL test cluster: run with ctest (fixture pg_cluster)";
    const PostgresAuditOptions options{conninfo, 50, 1};
    auto first = std::make_unique<PostgresAuditLog>(options, key());
    ASSERT_TRUE(eventually([&] { return first->sequencing(); }));
    PostgresAuditLog second(options, key());
    // Both instances append at once; only the first sequences.
    std::thread a([&] {
        for (int i = 0; i < 100; ++i) first->append({entry("first", i)});
    });
    std::thread b([&] {
        for (int i = 0; i < 100; i += 2) second.append({entry("second", i), entry("second", i + 1)});
    });
    a.join();
    b.join();
    EXPECT_FALSE(second.sequencing());
    EXPECT_EQ(second.size(), 200U);

    first.reset();  // the sequencer goes (sealing what it integrated); the second takes over
    ASSERT_TRUE(eventually([&] { return second.sequencing(); }));
    for (int i = 0; i < 30; ++i) second.append({entry("second", 100 + i)});

    const std::string dir = ::testing::TempDir() + "/pulled-" + new_uuid();
    ASSERT_TRUE(eventually([&] { return PostgresAuditLog::pull(conninfo, dir) == 230U; }));
    ASSERT_TRUE(eventually([&] {
        PostgresAuditLog::pull(conninfo, dir);
        return verify_log(dir, {key().certificate()}).sealed == 230U;  // sealed within checkpoint_seconds
    }));
    const auto report = verify_log(dir, {key().certificate()});
    EXPECT_TRUE(report.ok()) << (report.ok() ? "" : report.problems.front());
    EXPECT_EQ(report.entries, 230U);
    EXPECT_GE(report.checkpoints, 2U);  // one by each sequencer at least
    Poco::File(dir).remove(true);
}

TEST(PostgresAuditLog, AChangedLineStopsTheNextSequencer) {
    const std::string conninfo = fresh_database();
    ASSERT_FALSE(conninfo.empty());
    {
        PostgresAuditLog log({conninfo, 5, 1}, key());
        for (int i = 0; i < 10; ++i) log.append({entry("one", i)});
        ASSERT_TRUE(eventually([&] { return PostgresAuditLog::pull(conninfo, ::testing::TempDir() + "/x") == 10U; }));
    }
    pg::Connection(conninfo).exec("UPDATE audit_entries SET line = replace(line, '\"n\":3', '\"n\":4') WHERE seq = 3");
    PostgresAuditLog next({conninfo, 5, 1}, key());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(next.sequencing());  // it refuses to extend a log that no longer matches its checkpoint
}

// A takeover reads the stored leaves a page (65,536) at a time and forgets what precedes the last
// checkpoint: a log longer than a page must still be taken over, extended and verify whole.
TEST(PostgresAuditLog, ALogLongerThanAPageIsTakenOverWhole) {
    const std::string conninfo = fresh_database();
    ASSERT_FALSE(conninfo.empty());
    constexpr int kEntries = 70000;
    {
        PostgresAuditLog log({conninfo, 20000, 1}, key());
        for (int batch = 0; batch < kEntries / 10000; ++batch) {
            std::vector<Poco::JSON::Object::Ptr> entries;
            for (int i = 0; i < 10000; ++i) entries.push_back(entry("one", batch * 10000 + i));
            log.append(entries);
        }
        ASSERT_TRUE(eventually(
            [&] {
                return pg::Connection(conninfo).exec("SELECT count(*) FROM audit_entries").integer(0, 0) == kEntries;
            },
            std::chrono::seconds(120)));
    }
    PostgresAuditLog next({conninfo, 20000, 1}, key());
    ASSERT_TRUE(eventually([&] { return next.sequencing(); }));
    next.append({entry("next", 0)});
    const std::string dir = ::testing::TempDir() + "/pulled-" + new_uuid();
    ASSERT_TRUE(eventually(
        [&] {
            PostgresAuditLog::pull(conninfo, dir);
            return verify_log(dir, {key().certificate()}).sealed == kEntries + 1U;
        },
        std::chrono::seconds(60)));
    const auto report = verify_log(dir, {key().certificate()});
    EXPECT_TRUE(report.ok()) << (report.ok() ? "" : report.problems.front());
    Poco::File(dir).remove(true);
}

// The store keeps an exchange's audit entry's digest instead of its bytes: entry_text() finds the
// entry by it while it waits in the queue and once it is a line of the log.
TEST(PostgresAuditLog, AnEntryIsFoundByItsDigestQueuedAndSequenced) {
    const std::string conninfo = fresh_database();
    ASSERT_FALSE(conninfo.empty()) << "no PostgreSQL test cluster: run with ctest (fixture pg_cluster)";
    pg::Connection holder(conninfo);  // holds the sequencer's lease, so that the entries stay queued
    ASSERT_EQ(
        holder.exec("SELECT pg_try_advisory_lock(hashtext(current_schema() || ':vikno-audit-sequencer'))").text(0, 0),
        "t");
    PostgresAuditLog log({conninfo, 50, 1}, key());
    const auto refs = log.append({entry("one", 1), entry("one", 2)});
    ASSERT_EQ(refs.size(), 2U);
    EXPECT_NE(refs[0].digest, refs[1].digest);
    const auto queued = log.entry_text(refs[1]);
    ASSERT_TRUE(queued);
    EXPECT_NE(queued->find(R"("n":2)"), std::string::npos) << *queued;
    EXPECT_EQ(queued->find(R"("seq")"), std::string::npos) << *queued;  // not sequenced yet
    EXPECT_FALSE(log.entry_text({0, 0, std::string(64, '0')}));
    EXPECT_FALSE(log.entry_seq(refs[1]));     // queued: no number yet
    EXPECT_FALSE(log.entry_seq({1, 0, {}}));  // a file log's reference

    holder.exec("SELECT pg_advisory_unlock_all()");
    ASSERT_TRUE(eventually([&] { return log.sequencing(); }));
    ASSERT_TRUE(eventually([&] {
        const auto line = log.entry_text(refs[1]);
        return line && line->starts_with(R"({"seq":1,)");
    }));
    EXPECT_NE(log.entry_text(refs[1])->find(R"("n":2)"), std::string::npos);
    EXPECT_EQ(log.entry_seq(refs[0]), 0U);
    EXPECT_EQ(log.entry_seq(refs[1]), 1U);
}

// The console's copy grows by what is new: each pull_more() appends only the entries and
// checkpoints since the last, the copy verifies as the whole log, and a line changed in the
// database under the copy is refused rather than built on.
TEST(PostgresAuditLog, ACopyGrowsByWhatIsNewAndRefusesALogThatChangedUnderIt) {
    const std::string conninfo = fresh_database();
    ASSERT_FALSE(conninfo.empty()) << "no PostgreSQL test cluster: run with ctest (fixture pg_cluster)";
    PostgresAuditLog log({conninfo, 5, 1}, key());
    const auto sequenced = [&](std::int64_t n) {
        return eventually(
            [&] { return pg::Connection(conninfo).exec("SELECT count(*) FROM audit_entries").integer(0, 0) == n; });
    };
    for (int i = 0; i < 12; ++i) log.append({entry("one", i)});
    ASSERT_TRUE(sequenced(12));
    const std::string dir = ::testing::TempDir() + "/copy-" + new_uuid();
    PostgresAuditLog::PulledPlace place;
    PostgresAuditLog::pull_more(conninfo, dir, place);
    EXPECT_EQ(place.entries, 12U);
    const auto first_size = std::filesystem::file_size(dir + "/" + kEntriesFile);

    for (int i = 12; i < 20; ++i) log.append({entry("one", i)});
    ASSERT_TRUE(sequenced(20));
    ASSERT_TRUE(eventually([&] {
        PostgresAuditLog::pull_more(conninfo, dir, place);
        return verify_log(dir, {key().certificate()}).sealed == 20U;  // sealed within checkpoint_seconds
    }));
    EXPECT_EQ(place.entries, 20U);
    EXPECT_GT(std::filesystem::file_size(dir + "/" + kEntriesFile), first_size);
    // The copy is the log: the same bytes as a whole pull.
    const std::string whole = ::testing::TempDir() + "/whole-" + new_uuid();
    EXPECT_EQ(PostgresAuditLog::pull(conninfo, whole), 20U);
    const auto text = [](const std::string& path) {
        std::ifstream in(path, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    EXPECT_EQ(text(dir + "/" + kEntriesFile), text(whole + "/" + kEntriesFile));
    EXPECT_EQ(text(dir + "/" + kCheckpointsFile), text(whole + "/" + kCheckpointsFile));
    const auto report = verify_log(dir, {key().certificate()});
    EXPECT_TRUE(report.ok()) << (report.ok() ? "" : report.problems.front());

    // A console started again goes on with its copy: the place is read back from the files, and a
    // pull a crash cut short (a torn last line) is cut off before the copy grows.
    std::ofstream(dir + "/" + kEntriesFile, std::ios::app) << R"({"seq":20,"prev":"0f)";
    auto resumed = PostgresAuditLog::place_of(dir);
    ASSERT_TRUE(resumed);
    EXPECT_EQ(resumed->entries, place.entries);
    EXPECT_EQ(resumed->last_line, place.last_line);
    EXPECT_EQ(resumed->sealed_size, place.sealed_size);
    EXPECT_EQ(text(dir + "/" + kEntriesFile), text(whole + "/" + kEntriesFile));
    for (int i = 20; i < 26; ++i) log.append({entry("one", i)});
    ASSERT_TRUE(sequenced(26));
    ASSERT_TRUE(eventually([&] {
        PostgresAuditLog::pull_more(conninfo, dir, *resumed);
        return verify_log(dir, {key().certificate()}).sealed == 26U;
    }));
    std::filesystem::remove_all(whole);
    EXPECT_EQ(PostgresAuditLog::pull(conninfo, whole), 26U);
    EXPECT_EQ(text(dir + "/" + kEntriesFile), text(whole + "/" + kEntriesFile));
    EXPECT_EQ(text(dir + "/" + kCheckpointsFile), text(whole + "/" + kCheckpointsFile));
    place = *resumed;
    EXPECT_FALSE(PostgresAuditLog::place_of(whole + "/nothing-here"));

    pg::Connection(conninfo).exec(
        "UPDATE audit_entries SET line = replace(line, '\"n\":25', '\"n\":24') WHERE seq = 25");
    EXPECT_THROW(PostgresAuditLog::pull_more(conninfo, dir, place), AuditError);
    std::filesystem::remove_all(dir);
    std::filesystem::remove_all(whole);
}
