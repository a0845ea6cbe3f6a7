#include "common/clock.h"
#include "common/ids.h"
#include "store/sqlite_case_store.h"

#include <vikno/case_json.h>

#include <gtest/gtest.h>

#include <set>

#include <sys/stat.h>

using namespace vikno;
using namespace vikno::gateway;

namespace {

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

}  // namespace

TEST(Store, SubmitIsIdempotentPerOfficeAndKey) {
    SqliteCaseStore store(temp_db());
    const Case first = make_case("k1");
    EXPECT_EQ(store.submit(first, "m1").outcome, SubmitOutcome::Created);
    const auto replay = store.submit(make_case("k1"), "m2");
    EXPECT_EQ(replay.outcome, SubmitOutcome::Replayed);
    EXPECT_EQ(replay.case_id, first.id);
    EXPECT_EQ(store.submit(make_case("k1", "Інша"), "m3").outcome, SubmitOutcome::Conflict);
}

TEST(Store, OutboxClaimRescheduleAndFinish) {
    SqliteCaseStore store(temp_db());
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
    EXPECT_EQ(exchanges[0].request_bytes, "REQ");
}

TEST(Store, ClaimsOfADeadProcessAreReleasedAtStart) {
    const std::string path = temp_db();
    {
        SqliteCaseStore store(path);
        store.submit(make_case("k"), "m");
        ASSERT_TRUE(store.claim_next(now_ms()));
    }
    SqliteCaseStore reopened(path);
    EXPECT_EQ(reopened.release_claims(), 1);
    EXPECT_TRUE(reopened.claim_next(now_ms()));
}

TEST(Store, DatabaseFileIsPrivate) {
    const std::string path = temp_db();
    SqliteCaseStore store(path);
    struct stat info {};
    ASSERT_EQ(stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600);
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
TEST(Store, ACallbackIsTakenByOneCallerAndAnsweredOnce) {
    const std::string path = temp_db();
    {
        SqliteCaseStore store(path);
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

        const Case other = make_case("cb2");
        store.submit(other, "msg-cb2");
        auto next = store.claim_next(now_ms());
        store.await_callback(*next, "diia", "request-3", Outcome{}, "deep link issued", nullptr);
        ASSERT_EQ(store.claim_callback("diia", "request-3").state, CallbackClaim::State::Taken);
    }
    // Taken when the process died: released at the next start, so the registry's retry is taken.
    SqliteCaseStore reopened(path);
    reopened.release_claims();
    EXPECT_EQ(reopened.claim_callback("diia", "request-3").state, CallbackClaim::State::Taken);
    EXPECT_EQ(reopened.claim_callback("diia", "request-1").state, CallbackClaim::State::Answered);
}
