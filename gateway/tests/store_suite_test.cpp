// One suite for both stores (the embedded SQLite store and PostgreSQL for several instances): every
// test runs against each, through the CaseStore interface. The PostgreSQL ones need the throwaway
// cluster CTest starts (tests/support/pg_test_cluster.sh, fixture pg_cluster); each test gets a
// schema of its own.
#include "audit/postgres_audit_log.h"
#include "common/clock.h"
#include "common/ids.h"
#include "store/pg_connection.h"
#include "store/postgres_case_store.h"
#include "store/sqlite_case_store.h"

#include "pg_test_conninfo.h"

#include <vikno/case_json.h>

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace vikno;
using namespace vikno::gateway;

namespace {

// What the store queued for the audit log's sequencer, in order.
std::vector<std::string> audit_queue(pg::Connection& db) {
    std::vector<std::string> entries;
    const auto rows = db.exec("SELECT entry FROM audit_queue ORDER BY id");
    for (int i = 0; i < rows.rows(); ++i) entries.push_back(rows.text(i, 0));
    return entries;
}

Case make_case(const std::string& key, const std::string& last_name = "Коваленко") {
    auto parsed = parse_submitted_case(R"({"service": "drac.death-extract", "office": {"id": "o1", "operator": "op"},
      "applicant": {"last_name": ")" + last_name +
                                       R"(", "first_name": "О", "birth_date": "1990-01-01"}, "subject": {}})");
    Case c = std::move(parsed).value();
    c.id = new_uuid();
    c.idempotency_key = key;
    return c;
}

std::string temp_db() { return ::testing::TempDir() + "/store-" + new_uuid() + ".db"; }

std::string cluster_conninfo() { return vikno::testing::test_cluster_conninfo(VIKNO_TEST_PG_CONNINFO_FILE); }

constexpr int kLeaseMs = 300;  // short, so that a dead instance's claims free up quickly

class StoreSuite : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (GetParam() == "sqlite") {
            path_ = temp_db();
            return;
        }
        const std::string base = cluster_conninfo();
        ASSERT_FALSE(base.empty()) << "no PostgreSQL test cluster: run the tests with ctest (its pg_cluster "
                                      "fixture starts one), or start one with tests/support/pg_test_cluster.sh "
                                      "start build/pg-test";
        const std::string schema = "t_" + new_uuid().substr(0, 8);
        pg::Connection(base).exec_script(("CREATE SCHEMA " + schema).c_str());
        conninfo_ = base + " options='-c search_path=" + schema + "'";
    }

    bool sqlite() const { return GetParam() == "sqlite"; }

    /// A gateway instance on the test's database (for SQLite: the process that opens the file).
    std::unique_ptr<CaseStore> open() {
        if (sqlite()) return std::make_unique<SqliteCaseStore>(path_);
        return std::make_unique<PostgresCaseStore>(PostgresOptions{conninfo_, 4, kLeaseMs});
    }

    /// Runs `work` on an instance in a child process that then dies without ending anything (as kill
    /// -9 would): no destructor, no deregistration.
    void in_dying_instance(const std::function<void(CaseStore&)>& work) {
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            int code = 0;
            try {
                auto store = open();
                work(*store);
            } catch (...) {
                code = 3;
            }
            std::fflush(nullptr);
            ::_exit(code);
        }
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the dying instance's work failed";
    }

    /// Releases what dead instances held, waiting (for PostgreSQL) until their lease has lapsed.
    int release_after_death(CaseStore& store, int expected) {
        int released = 0;
        for (int i = 0; i < 100 && released < expected; ++i) {
            released += store.release_claims();
            if (released < expected) std::this_thread::sleep_for(std::chrono::milliseconds(kLeaseMs / 5));
        }
        return released;
    }

    std::string path_;
    std::string conninfo_;
};

}  // namespace

TEST_P(StoreSuite, SubmitIsIdempotentPerOfficeAndKey) {
    auto opened = open();
    CaseStore& store = *opened;
    const Case first = make_case("k1");
    EXPECT_EQ(store.submit(first, "m1").outcome, SubmitOutcome::Created);
    const auto replay = store.submit(make_case("k1"), "m2");
    EXPECT_EQ(replay.outcome, SubmitOutcome::Replayed);
    EXPECT_EQ(replay.case_id, first.id);
    EXPECT_EQ(store.submit(make_case("k1", "Інша"), "m3").outcome, SubmitOutcome::Conflict);
}

TEST_P(StoreSuite, OutboxClaimRescheduleAndFinish) {
    auto opened = open();
    CaseStore& store = *opened;
    const Case c = make_case("k");
    store.submit(c, "msg-1");
    auto item = store.claim_next(now_ms());
    ASSERT_TRUE(item);
    EXPECT_EQ(item->message_id, "msg-1");
    EXPECT_FALSE(store.claim_next(now_ms()));  // claimed rows are not handed out twice

    store.reschedule(*item, now_ms() + 60000, "attempt 1: down", nullptr);
    EXPECT_FALSE(store.claim_next(now_ms()));
    item = store.claim_next(now_ms() + 61000);
    ASSERT_TRUE(item);
    EXPECT_EQ(item->attempts, 1);
    EXPECT_EQ(item->message_id, "msg-1");  // the same message id on every attempt

    ExchangeRecord record{c.id, 2, "civil_registry", "http://x/", now_ms(), 5, "REQ", "RESP", 200, ""};
    Outcome outcome;
    outcome.message_en = "done";
    store.finish(*item, CaseStatus::Completed, outcome, "record found", &record);
    EXPECT_FALSE(store.claim_next(now_ms() + 120000));

    const auto stored = store.find(c.id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->status, CaseStatus::Completed);
    EXPECT_EQ(stored->outcome->message_en, "done");
    // Claiming marks the case sending in the same transaction as the claim.
    std::vector<std::string> statuses;
    for (const auto& change : stored->history) statuses.emplace_back(to_string(change.status));
    EXPECT_EQ(statuses, (std::vector<std::string>{"received", "queued", "sending", "queued", "sending", "completed"}));
    EXPECT_EQ(stored->history[2].note, "attempt 1");
    EXPECT_EQ(stored->history.back().note, "record found");
    const auto exchanges = store.exchanges(c.id);
    ASSERT_EQ(exchanges.size(), 1U);
    EXPECT_EQ(exchanges[0].request_bytes, "REQ");  // no audit entry named: the store keeps the bytes
    EXPECT_EQ(exchanges[0].response_bytes, "RESP");
    EXPECT_FALSE(exchanges[0].audit_entry);
}

// The wire bytes are written once, in the audit log: an exchange recorded with its entry's reference
// (a line's place on SQLite, a digest on PostgreSQL) is stored as that reference, whichever write
// records it, and read back with it and without bytes.
TEST_P(StoreSuite, AnExchangeThatNamesItsAuditEntryIsKeptAsThatReferenceOnly) {
    auto opened = open();
    CaseStore& store = *opened;
    const Case c = make_case("referred");
    store.submit(c, "m-referred");
    const auto ref = [&](std::uint64_t seq) {
        return sqlite() ? AuditEntryRef{seq, seq * 4096, {}}
                        : AuditEntryRef{0, 0, std::string(63, 'a') + char('0' + seq)};
    };
    ExchangeRecord record{c.id, 1, "drac", "https://drac", now_ms(), 3, "REQ-BYTES", "RESP-BYTES", 503, ""};
    record.audit_entry = ref(1);
    auto item = store.claim_next(now_ms());
    ASSERT_TRUE(item);
    store.reschedule(*item, now_ms(), "busy", &record);  // a retry
    record.attempt = 2;
    record.audit_entry = ref(2);
    store.record_exchange(record);  // a step of a multi-request case
    record.audit_entry = ref(3);
    record.http_status = 200;
    item = store.claim_next(now_ms() + 1);
    ASSERT_TRUE(item);
    store.finish(*item, CaseStatus::Completed, std::nullopt, "done", &record);  // the end
    const auto exchanges = store.exchanges(c.id);
    ASSERT_EQ(exchanges.size(), 3U);
    for (std::size_t i = 0; i < exchanges.size(); ++i) {
        EXPECT_EQ(exchanges[i].audit_entry, ref(i + 1)) << i;
        EXPECT_EQ(exchanges[i].request_bytes, "") << i;
        EXPECT_EQ(exchanges[i].response_bytes, "") << i;
        EXPECT_EQ(exchanges[i].registry, "drac");
    }
    EXPECT_EQ(exchanges[0].http_status, 503);
    EXPECT_EQ(exchanges[2].http_status, 200);
    EXPECT_EQ(exchanges[2].attempt, 2);
}

TEST_P(StoreSuite, AClaimThatTakesNothingSaysWhenTheNextRowFallsDue) {
    auto opened = open();
    CaseStore& store = *opened;
    auto nothing = store.claim_or_next_due(now_ms());
    EXPECT_FALSE(nothing.item);
    EXPECT_FALSE(nothing.next_due_ms);  // no row is waiting

    const Case c = make_case("k");
    store.submit(c, "msg-1");
    auto taken = store.claim_or_next_due(now_ms());
    ASSERT_TRUE(taken.item);
    EXPECT_EQ(taken.item->case_id, c.id);
    EXPECT_EQ(taken.item->message_id, "msg-1");
    EXPECT_EQ(store.find(c.id)->status, CaseStatus::Sending);
    EXPECT_FALSE(store.claim_or_next_due(now_ms()).next_due_ms);  // its only row is claimed

    const std::int64_t due = now_ms() + 60000;
    store.reschedule(*taken.item, due, "attempt 1: down", nullptr);
    nothing = store.claim_or_next_due(now_ms());
    EXPECT_FALSE(nothing.item);
    ASSERT_TRUE(nothing.next_due_ms);
    EXPECT_EQ(*nothing.next_due_ms, due);
    EXPECT_EQ(store.next_due_ms(), nothing.next_due_ms);

    taken = store.claim_or_next_due(due);
    ASSERT_TRUE(taken.item);
    EXPECT_EQ(taken.item->attempts, 1);
    EXPECT_FALSE(taken.next_due_ms);  // only when nothing is taken
}

TEST_P(StoreSuite, ClaimsOfADeadInstanceAreReleasedAndTakenAgain) {
    in_dying_instance([](CaseStore& store) {
        store.submit(make_case("k"), "m");
        if (!store.claim_next(now_ms())) throw std::runtime_error("nothing to claim");
    });
    auto reopened = open();
    EXPECT_EQ(release_after_death(*reopened, 1), 1);
    const auto item = reopened->claim_next(now_ms());
    ASSERT_TRUE(item);
    EXPECT_EQ(item->message_id, "m");  // sent again under its own message id
}

// A worker waiting for work takes a new case straight from its submission: the case is claimed and
// sending in the submission's own commit, with the history and the claim a claim would have written,
// and nobody else can claim it.
TEST_P(StoreSuite, ASubmissionThatClaimsItsCaseLeavesItSendingAndClaimedOnlyByItsCaller) {
    auto opened = open();
    CaseStore& store = *opened;
    const Case c = make_case("claimed");
    const auto result = store.submit(c, "msg-claimed", nullptr, true);
    ASSERT_EQ(result.outcome, SubmitOutcome::Created);
    ASSERT_TRUE(result.claimed);
    EXPECT_EQ(result.claimed->case_id, c.id);
    EXPECT_EQ(result.claimed->message_id, "msg-claimed");
    EXPECT_EQ(result.claimed->attempts, 0);
    EXPECT_EQ(result.claimed->service, c.service);
    ASSERT_TRUE(result.claimed->submission);  // read back as a claim reads it
    EXPECT_EQ(result.claimed->submission->id, c.id);
    EXPECT_EQ(result.claimed->submission->applicant.last_name, c.applicant.last_name);

    const auto stored = store.find(c.id);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->status, CaseStatus::Sending);
    std::vector<std::string> statuses;
    for (const auto& change : stored->history) statuses.emplace_back(to_string(change.status));
    EXPECT_EQ(statuses, (std::vector<std::string>{"received", "queued", "sending"}));
    EXPECT_EQ(stored->history.back().note, "attempt 1");
    EXPECT_EQ(store.count_by_status()[CaseStatus::Sending], 1);
    EXPECT_EQ(store.backlog(), 1);
    EXPECT_FALSE(store.claim_or_next_due(now_ms()).item);  // the caller's, and nobody else's
    EXPECT_FALSE(store.claim_or_next_due(now_ms()).next_due_ms);

    // A replay claims nothing: the case it finds is already someone's.
    const auto replay = store.submit(make_case("claimed"), "msg-other", nullptr, true);
    EXPECT_EQ(replay.outcome, SubmitOutcome::Replayed);
    EXPECT_FALSE(replay.claimed);

    store.finish(*result.claimed, CaseStatus::Completed, std::nullopt, "record found", nullptr);
    EXPECT_EQ(store.find(c.id)->status, CaseStatus::Completed);
    EXPECT_FALSE(store.claim_next(now_ms() + 60000));

    // Without `claim` the case is queued, as always.
    const Case queued = make_case("queued");
    EXPECT_FALSE(store.submit(queued, "msg-queued").claimed);
    EXPECT_EQ(store.find(queued.id)->status, CaseStatus::Queued);
}

// An instance that dies holding a case its submission claimed gives it back like any claim: the next
// start sends it under the message id it was stored with.
TEST_P(StoreSuite, ACaseClaimedByItsSubmissionIsReleasedWhenItsInstanceDies) {
    in_dying_instance([](CaseStore& store) {
        if (!store.submit(make_case("k"), "m", nullptr, true).claimed) throw std::runtime_error("not claimed");
    });
    auto reopened = open();
    EXPECT_EQ(release_after_death(*reopened, 1), 1);
    const auto item = reopened->claim_next(now_ms());
    ASSERT_TRUE(item);
    EXPECT_EQ(item->message_id, "m");
    EXPECT_EQ(item->attempts, 0);
}

TEST_P(StoreSuite, ALiveInstancesClaimsAreNeverTakenByAnother) {
    if (sqlite()) GTEST_SKIP() << "one gateway process per SQLite file: there is no other live instance";
    auto first = open();
    auto second = open();
    first->submit(make_case("k"), "m");
    ASSERT_TRUE(first->claim_next(now_ms()));
    // Three leases long: the holder's heartbeat keeps its claim, whatever the other does.
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(3 * kLeaseMs);
    while (std::chrono::steady_clock::now() < until) {
        EXPECT_EQ(second->release_claims(), 0);
        EXPECT_FALSE(second->claim_next(now_ms()));
        std::this_thread::sleep_for(std::chrono::milliseconds(kLeaseMs / 3));
    }
}

TEST_P(StoreSuite, TheSameKeySubmittedConcurrentlyGivesOneCase) {
    // Four instances (PostgreSQL) or four callers of one (SQLite), the same key at the same moment.
    std::vector<std::unique_ptr<CaseStore>> instances;
    for (int i = 0; i < (sqlite() ? 1 : 4); ++i) instances.push_back(open());
    std::vector<SubmitResult> results(8);
    std::atomic<bool> go{false};
    std::vector<std::thread> callers;
    for (std::size_t i = 0; i < results.size(); ++i) {
        callers.emplace_back([&, i] {
            while (!go) std::this_thread::yield();
            results[i] = instances[i % instances.size()]->submit(make_case("same-key"), "m-" + std::to_string(i));
        });
    }
    go = true;
    for (auto& caller : callers) caller.join();
    std::set<std::string> ids;
    int created = 0;
    for (const auto& result : results) {
        ids.insert(result.case_id);
        created += result.outcome == SubmitOutcome::Created ? 1 : 0;
        EXPECT_NE(result.outcome, SubmitOutcome::Conflict);
    }
    EXPECT_EQ(created, 1);
    EXPECT_EQ(ids.size(), 1U);
    EXPECT_EQ(instances[0]->backlog(), 1);
}

TEST_P(StoreSuite, AClaimedRowGoesToOneInstanceOnly) {
    std::vector<std::unique_ptr<CaseStore>> instances;
    for (int i = 0; i < (sqlite() ? 1 : 3); ++i) instances.push_back(open());
    // Enough claims per connection for PostgreSQL to plan the prepared claim generically (after five).
    constexpr int kRows = 300;
    for (int i = 0; i < kRows; ++i) {
        instances[0]->submit(make_case("row-" + std::to_string(i)), "m-" + std::to_string(i));
    }
    std::mutex mutex;
    std::multiset<std::string> claimed;
    std::vector<std::thread> workers;
    for (int w = 0; w < 6; ++w) {
        workers.emplace_back([&, w] {
            CaseStore& store = *instances[static_cast<std::size_t>(w) % instances.size()];
            while (auto item = store.claim_next(now_ms())) {
                store.finish(*item, CaseStatus::Completed, std::nullopt, "done", nullptr);
                std::lock_guard lock(mutex);
                claimed.insert(item->case_id);
            }
        });
    }
    for (auto& worker : workers) worker.join();
    EXPECT_EQ(claimed.size(), static_cast<std::size_t>(kRows));  // no row claimed without being handed out
    EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), claimed.size());  // none twice
    EXPECT_EQ(instances[0]->count_by_status()[CaseStatus::Completed], kRows);
}

TEST(SqliteStore, DatabaseFileIsPrivate) {
    const std::string path = temp_db();
    SqliteCaseStore store(path);
    struct stat info {};
    ASSERT_EQ(stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600);
}

// /metrics reads counts the store keeps with every change; a store made before them is counted
// once when opened, and the counts follow every change after.
TEST(SqliteStore, CasesPerStatusAreKeptWithEveryChangeAndCountedForAnOlderStore) {
    const std::string path = temp_db();
    {
        SqliteCaseStore store(path);
        for (int i = 0; i < 3; ++i) store.submit(make_case("count-" + std::to_string(i)), "m-c" + std::to_string(i));
        auto item = store.claim_next(now_ms());
        ASSERT_TRUE(item);
        store.finish(*item, CaseStatus::Completed, std::nullopt, "done", nullptr);
    }
    {  // as a store from before the counts
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db,
                               "DROP TRIGGER cases_counted_on_insert; DROP TRIGGER cases_counted_on_update; "
                               "DROP TRIGGER cases_counted_on_delete; DROP TABLE status_counts;",
                               nullptr, nullptr, nullptr),
                  SQLITE_OK);
        sqlite3_close(db);
    }
    SqliteCaseStore store(path);
    EXPECT_EQ(store.count_by_status(),
              (std::map<CaseStatus, std::int64_t>{{CaseStatus::Queued, 2}, {CaseStatus::Completed, 1}}));
    auto item = store.claim_next(now_ms());
    ASSERT_TRUE(item);
    EXPECT_EQ(store.count_by_status(),
              (std::map<CaseStatus, std::int64_t>{
                  {CaseStatus::Queued, 1}, {CaseStatus::Sending, 1}, {CaseStatus::Completed, 1}}));
    store.reschedule(*item, now_ms(), "again", nullptr);
    store.submit(make_case("count-3"), "m-c3");
    EXPECT_EQ(store.count_by_status(),
              (std::map<CaseStatus, std::int64_t>{{CaseStatus::Queued, 3}, {CaseStatus::Completed, 1}}));
}

// On PostgreSQL the counts are kept per database connection (no row that every transaction waits
// for); a schema made before them is counted once, and what a gone connection counted is folded
// into the rest when the next instance starts.
TEST_P(StoreSuite, CasesPerStatusAreKeptPerConnectionAndFoldedWhenTheConnectionIsGone) {
    if (sqlite()) GTEST_SKIP() << "SqliteStore.CasesPerStatusAreKeptWithEveryChangeAndCountedForAnOlderStore";
    {
        auto store = open();
        for (int i = 0; i < 3; ++i) store->submit(make_case("count-" + std::to_string(i)), "m-c" + std::to_string(i));
        auto item = store->claim_next(now_ms());
        ASSERT_TRUE(item);
        store->finish(*item, CaseStatus::Completed, std::nullopt, "done", nullptr);
    }
    // As a schema from before the counts.
    pg::Connection(conninfo_).exec_script(
        "DROP TRIGGER cases_counted ON cases; DROP FUNCTION vikno_count_case_status(); DROP TABLE status_counts;");
    auto store = open();
    EXPECT_EQ(store->count_by_status(),
              (std::map<CaseStatus, std::int64_t>{{CaseStatus::Queued, 2}, {CaseStatus::Completed, 1}}));
    std::string gone_slot;
    {  // another program's connection changes a case, and is gone
        pg::Connection other(conninfo_);
        gone_slot = other.exec("SELECT pg_backend_pid()").text(0, 0);
        other.exec("UPDATE cases SET status = 'failed' WHERE status = 'queued' AND idempotency_key = 'count-2'");
    }
    EXPECT_EQ(store->count_by_status(),
              (std::map<CaseStatus, std::int64_t>{
                  {CaseStatus::Queued, 1}, {CaseStatus::Completed, 1}, {CaseStatus::Failed, 1}}));
    pg::Connection check(conninfo_);
    const auto rows_of_gone = [&] {
        return check.exec("SELECT COUNT(*) FROM status_counts WHERE slot = $1::integer", pg::Params().text(gone_slot))
            .integer(0, 0);
    };
    EXPECT_GT(rows_of_gone(), 0);
    // The server ends a closed connection's backend a moment after the client leaves.
    for (int i = 0;
         i < 200 &&
         !check.exec("SELECT 1 FROM pg_stat_activity WHERE pid = $1::integer", pg::Params().text(gone_slot)).empty();
         ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    auto next = open();  // folds at its start
    EXPECT_EQ(rows_of_gone(), 0);
    EXPECT_EQ(next->count_by_status(), store->count_by_status());
    auto item = next->claim_next(now_ms());
    ASSERT_TRUE(item);
    next->reschedule(*item, now_ms(), "again", nullptr);
    next->submit(make_case("count-3"), "m-c3");
    EXPECT_EQ(store->count_by_status(),
              (std::map<CaseStatus, std::int64_t>{
                  {CaseStatus::Queued, 2}, {CaseStatus::Completed, 1}, {CaseStatus::Failed, 1}}));
}

TEST(Ids, NewUuidIsARandomVersion4Uuid) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        const std::string id = new_uuid();
        ASSERT_EQ(id.size(), 36U);
        EXPECT_EQ(id[8], '-');
        EXPECT_EQ(id[14], '4');                                          // version
        EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);  // variant
        EXPECT_TRUE(seen.insert(id).second);
    }
}

// A registry's callback is handed to one caller at a time and answered once (two concurrent copies
// of one callback must not both be processed and audited).
TEST_P(StoreSuite, ACallbackIsTakenByOneCallerAndAnsweredOnce) {
    {
        auto opened = open();
        CaseStore& store = *opened;
        const Case c = make_case("cb");
        store.submit(c, "msg-cb");
        auto item = store.claim_next(now_ms());
        ASSERT_TRUE(item);
        store.await_callback(*item, "diia", "request-1", Outcome{}, "deep link issued", nullptr);

        EXPECT_EQ(store.claim_callback("diia", "request-2").state, CallbackClaim::State::Unknown);
        const auto taken = store.claim_callback("diia", "request-1");
        ASSERT_EQ(taken.state, CallbackClaim::State::Taken);
        EXPECT_EQ(taken.case_id, c.id);
        EXPECT_EQ(store.claim_callback("diia", "request-1").state, CallbackClaim::State::Busy);
        store.release_callback("diia", "request-1");  // could not be processed: the next copy may take it
        ASSERT_EQ(store.claim_callback("diia", "request-1").state, CallbackClaim::State::Taken);
        // A copy that never took it cannot finish it; the taker can, once.
        ExchangeRecord record{c.id, 0, "diia", "callback", now_ms(), 0, "REQ", "RESP", 0, ""};
        EXPECT_TRUE(
            store.finish_callback(c.id, "diia", "request-1", CaseStatus::Completed, Outcome{}, "files", record));
        EXPECT_FALSE(
            store.finish_callback(c.id, "diia", "request-1", CaseStatus::Rejected, Outcome{}, "declined", record));
        EXPECT_EQ(store.claim_callback("diia", "request-1").state, CallbackClaim::State::Answered);
        EXPECT_EQ(store.find(c.id)->status, CaseStatus::Completed);
    }
    // Taken when its instance died: released, so the registry's retry is taken.
    in_dying_instance([](CaseStore& store) {
        const Case other = make_case("cb2");
        store.submit(other, "msg-cb2");
        auto next = store.claim_next(now_ms());
        if (!next) throw std::runtime_error("nothing to claim");
        store.await_callback(*next, "diia", "request-3", Outcome{}, "deep link issued", nullptr);
        if (store.claim_callback("diia", "request-3").state != CallbackClaim::State::Taken) {
            throw std::runtime_error("not taken");
        }
    });
    auto reopened = open();
    EXPECT_EQ(release_after_death(*reopened, 1), 1);
    EXPECT_EQ(reopened->claim_callback("diia", "request-3").state, CallbackClaim::State::Taken);
    EXPECT_EQ(reopened->claim_callback("diia", "request-1").state, CallbackClaim::State::Answered);
}

// A callback claim whose reply the connection lost: the row says 'taking' under this live instance's
// name, but no caller of it holds the callback. The registry's next try takes it (it used to get 503
// until the instance restarted); one a caller does hold stays busy.
TEST_P(StoreSuite, ACallbackClaimWhoseReplyWasLostIsTakenByTheNextTry) {
    if (sqlite()) GTEST_SKIP() << "an embedded SQLite call has no reply to lose";
    auto opened = open();
    auto& store = dynamic_cast<PostgresCaseStore&>(*opened);
    const Case c = make_case("cb-lost");
    store.submit(c, "msg-cb-lost");
    auto item = store.claim_next(now_ms());
    ASSERT_TRUE(item);
    store.await_callback(*item, "diia", "request-lost", Outcome{}, "deep link issued", nullptr);
    // What a claim leaves when its COMMIT went through and the reply did not come back.
    pg::Connection(conninfo_).exec(
        "UPDATE awaiting SET state = 'taking', taken_by = $1 WHERE correlation = 'request-lost'",
        pg::Params().text(store.instance_id()));

    const auto taken = store.claim_callback("diia", "request-lost");
    ASSERT_EQ(taken.state, CallbackClaim::State::Taken);
    EXPECT_EQ(taken.case_id, c.id);
    EXPECT_EQ(store.claim_callback("diia", "request-lost").state, CallbackClaim::State::Busy);
    store.release_callback("diia", "request-lost");
    EXPECT_EQ(store.claim_callback("diia", "request-lost").state, CallbackClaim::State::Taken);
    ExchangeRecord record{c.id, 0, "diia", "callback", now_ms(), 0, "REQ", "RESP", 0, ""};
    EXPECT_TRUE(store.finish_callback(c.id, "diia", "request-lost", CaseStatus::Completed, Outcome{}, "files", record));
    EXPECT_EQ(store.claim_callback("diia", "request-lost").state, CallbackClaim::State::Answered);
}

// A case's end and its audit entries are one commit on PostgreSQL: the end's entry is queued only by
// the instance whose end counts, the exchange's by any; a retried end queues nothing twice. (With the
// entries written first, a kill before the store's commit left the end logged twice once the case
// was sent again.)
TEST_P(StoreSuite, TheEndOfACaseAndItsAuditEntriesAreOneCommit) {
    if (sqlite()) GTEST_SKIP() << "the file audit log is not in the SQLite database";
    auto opened = open();
    auto other = open();  // a second instance, whose claim has lapsed
    pg::Connection db(conninfo_);
    audit::PostgresAuditLog::create_schema(db);
    const Case c = make_case("audit-end");
    opened->submit(c, "msg-audit-end");
    auto item = opened->claim_next(now_ms());
    ASSERT_TRUE(item);
    const ExchangeRecord record{c.id, 1, "drac", "https://drac", now_ms(), 3, "REQ", "RESP", 200, ""};
    const AuditRows late{{R"({"kind":"exchange","n":1})", R"({"kind":"case","n":1})"}, {"d-x1", "d-c1"}, 1};
    other->finish(*item, CaseStatus::Completed, std::nullopt, "late", &record, &late);
    EXPECT_EQ(audit_queue(db), std::vector<std::string>{R"({"kind":"exchange","n":1})"}) << "the evidence only";
    EXPECT_EQ(opened->find(c.id)->status, CaseStatus::Sending);

    const AuditRows ended{{R"({"kind":"exchange","n":2})", R"({"kind":"case","n":2})"}, {"d-x2", "d-c2"}, 1};
    opened->finish(*item, CaseStatus::Completed, std::nullopt, "done", &record, &ended);
    opened->finish(*item, CaseStatus::Completed, std::nullopt, "done", &record, &ended);  // retried
    EXPECT_EQ(audit_queue(db), (std::vector<std::string>{R"({"kind":"exchange","n":1})", R"({"kind":"exchange","n":2})",
                                                         R"({"kind":"case","n":2})"}));
    EXPECT_EQ(opened->find(c.id)->status, CaseStatus::Completed);
}

// The claim reads the submission, so that a dispatch attempt does not read the case again; what it
// carries is the case as submitted.
TEST_P(StoreSuite, AClaimCarriesTheCaseAsSubmitted) {
    auto store = open();
    const Case c = make_case("claim-carries", "Шевченко");
    store->submit(c, "m-carries");
    const auto item = store->claim_next(now_ms());
    ASSERT_TRUE(item);
    ASSERT_NE(item->submission, nullptr);
    EXPECT_EQ(item->submission->id, c.id);
    EXPECT_EQ(to_json_text(submission_to_json(*item->submission)), to_json_text(submission_to_json(c)));
    EXPECT_EQ(to_json_text(submission_to_json(*store->find(c.id))), to_json_text(submission_to_json(c)));
}

// The first line of a case's story is one commit with the case: queued when the case is new, not
// when the same submission comes again (its first answer lost) or another body uses the key.
TEST_P(StoreSuite, ACaseAndItsReceivedEntryAreOneCommit) {
    if (sqlite()) GTEST_SKIP() << "the file audit log is not in the SQLite database";
    auto store = open();
    pg::Connection db(conninfo_);
    audit::PostgresAuditLog::create_schema(db);
    const Case c = make_case("received-once");
    const AuditRows first{{R"({"kind":"case","status":"received","n":1})"}, {"d-r1"}, 1};
    EXPECT_EQ(store->submit(c, "m-r1", &first).outcome, SubmitOutcome::Created);
    EXPECT_EQ(audit_queue(db), std::vector<std::string>{R"({"kind":"case","status":"received","n":1})"});

    Case again = c;
    again.id = "another-id";  // a retry: the API gives every request a new id
    const AuditRows second{{R"({"kind":"case","status":"received","n":2})"}, {"d-r2"}, 1};
    EXPECT_EQ(store->submit(again, "m-r2", &second).outcome, SubmitOutcome::Replayed);
    Case other = make_case("received-once", "Інша");
    other.id = "third-id";
    const AuditRows third{{R"({"kind":"case","status":"received","n":3})"}, {"d-r3"}, 1};
    EXPECT_EQ(store->submit(other, "m-r3", &third).outcome, SubmitOutcome::Conflict);
    EXPECT_EQ(audit_queue(db), std::vector<std::string>{R"({"kind":"case","status":"received","n":1})"})
        << "nothing for a replay or a conflict";
}

// A life situation's first line is in its commit too: it has no outbox row, but the same story.
TEST_P(StoreSuite, ASituationAndItsReceivedEntryAreOneCommit) {
    if (sqlite()) GTEST_SKIP() << "the file audit log is not in the SQLite database";
    auto store = open();
    pg::Connection db(conninfo_);
    audit::PostgresAuditLog::create_schema(db);
    const Case c = make_case("situation-received");
    const std::vector<StepRecord> steps{{"birth", "drac.birth", false, 0, "pending", "", "", ""},
                                        {"residence", "drrp.residence", true, 1, "pending", "", "", ""}};
    const AuditRows first{{R"({"kind":"case","status":"received","n":1})"}, {"d-s1"}, 1};
    EXPECT_EQ(store->submit_situation(c, steps, &first).outcome, SubmitOutcome::Created);
    const auto stored = store->steps(c.id);
    ASSERT_EQ(stored.size(), 2U);
    for (std::size_t i = 0; i < stored.size(); ++i) {
        EXPECT_EQ(stored[i].step_id, steps[i].step_id);
        EXPECT_EQ(stored[i].service, steps[i].service);
        EXPECT_EQ(stored[i].optional, steps[i].optional);
        EXPECT_EQ(stored[i].position, steps[i].position);
        EXPECT_EQ(stored[i].status, "pending");
    }
    Case again = c;
    again.id = "situation-retry";
    const AuditRows second{{R"({"kind":"case","status":"received","n":2})"}, {"d-s2"}, 1};
    EXPECT_EQ(store->submit_situation(again, steps, &second).outcome, SubmitOutcome::Replayed);
    EXPECT_EQ(audit_queue(db), std::vector<std::string>{R"({"kind":"case","status":"received","n":1})"})
        << "one entry, in the situation's commit, none for the replay";
}

// pglz compressing the wire bytes cost the server more CPU than any statement of a case; LZ4 costs
// a fraction of it (docs/performance.md, "Where PostgreSQL's time goes"). A schema made before gets
// it at the next start; what it stored before stays readable.
TEST_P(StoreSuite, WireBytesAndEntriesAreCompressedWithLz4AndOlderValuesStayReadable) {
    if (sqlite()) GTEST_SKIP() << "a PostgreSQL storage setting";
    pg::Connection db(conninfo_);
    const auto compression = [&](const std::string& table, const std::string& column) {
        return db
            .exec("SELECT attcompression FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2",
                  pg::Params().text(table).text(column))
            .text(0, 0);
    };
    if (db.exec("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
            .empty()) {
        GTEST_SKIP() << "this PostgreSQL has no LZ4";
    }
    std::string wire(64 * 1024, ' ');
    for (std::size_t i = 0; i < wire.size(); ++i) wire[i] = static_cast<char>('a' + (i * 7 + i / 13) % 26);
    const Case before = make_case("lz4-before");
    {
        auto store = open();
        db.exec_script("ALTER TABLE exchanges ALTER COLUMN request SET COMPRESSION pglz");  // as made before
        store->submit(before, "m-before");
        store->record_exchange({before.id, 1, "drac", "https://drac", now_ms(), 3, wire, "RESP", 200, ""});
    }
    auto store = open();
    audit::PostgresAuditLog::create_schema(db);
    for (const auto& [table, column] : std::vector<std::pair<std::string, std::string>>{{"cases", "submission"},
                                                                                        {"cases", "outcome"},
                                                                                        {"exchanges", "request"},
                                                                                        {"exchanges", "response"},
                                                                                        {"audit_queue", "entry"},
                                                                                        {"audit_entries", "line"}}) {
        EXPECT_EQ(compression(table, column), "l") << table << "." << column;
    }
    const Case after = make_case("lz4-after");
    store->submit(after, "m-after");
    store->record_exchange({after.id, 1, "drac", "https://drac", now_ms(), 3, wire, "RESP", 200, ""});
    const auto stored_with = [&](const std::string& id) {
        return db.exec("SELECT pg_column_compression(request) FROM exchanges WHERE case_id = $1", pg::Params().text(id))
            .text(0, 0);
    };
    EXPECT_EQ(stored_with(before.id), "pglz");
    EXPECT_EQ(stored_with(after.id), "lz4");
    EXPECT_EQ(store->exchanges(before.id).at(0).request_bytes, wire);
    EXPECT_EQ(store->exchanges(after.id).at(0).request_bytes, wire);
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreSuite, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

TEST_P(StoreSuite, CasesAreFoundByOfficeOperatorServiceStatusAndTime) {
    auto opened = open();
    CaseStore& store = *opened;
    Case a = make_case("a");
    Case b = make_case("b");
    b.office = {"o2", "op-9"};
    Case c = make_case("c");
    c.service = "drac.birth-extract";
    const std::int64_t before = now_ms();
    for (const Case* x : {&a, &b, &c}) store.submit(*x, "m-" + x->idempotency_key);
    auto item = store.claim_next(now_ms());
    ASSERT_TRUE(item);
    store.finish(*item, CaseStatus::Rejected, std::nullopt, "not in the register", nullptr);

    const auto ids = [&](CaseQuery query) {
        std::vector<std::string> out;
        for (const auto& row : store.search(query)) out.push_back(row.id);
        std::sort(out.begin(), out.end());
        return out;
    };
    const auto sorted = [](std::vector<std::string> v) {
        std::sort(v.begin(), v.end());
        return v;
    };
    EXPECT_EQ(ids({}), sorted({a.id, b.id, c.id}));
    EXPECT_EQ(ids({.office = "o1"}), sorted({a.id, c.id}));
    EXPECT_EQ(ids({.operator_id = "op-9"}), (std::vector<std::string>{b.id}));
    EXPECT_EQ(ids({.service = "drac.birth-extract"}), (std::vector<std::string>{c.id}));
    EXPECT_EQ(ids({.id = b.id, .office = "o1"}), (std::vector<std::string>{}));  // another office's case
    EXPECT_EQ(ids({.from_ms = before + 3600000}), (std::vector<std::string>{}));
    EXPECT_EQ(ids({.to_ms = before - 1}), (std::vector<std::string>{}));
    EXPECT_EQ(store.search({.limit = 2}).size(), 2U);

    const auto rejected = store.search({.status = "rejected"});
    ASSERT_EQ(rejected.size(), 1U);
    EXPECT_EQ(rejected[0].id, item->case_id);
    EXPECT_EQ(rejected[0].last_note, "not in the register");
    EXPECT_EQ(rejected[0].operator_id, item->case_id == b.id ? "op-9" : "op");
    EXPECT_GE(rejected[0].updated_ms, rejected[0].created_ms);
}
