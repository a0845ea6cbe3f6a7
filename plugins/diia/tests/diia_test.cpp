// Multipart bodies, field checks, the session -> deep link -> await sequence, and Diia's callback.
#include "../src/interpreter.h"
#include "../src/multipart.h"
#include "../src/translator.h"

#include <vikno/plugin_testing.h>
#include <vikno/signing.h>

#include <gtest/gtest.h>

using namespace vikno;
using namespace vikno::diia;

namespace {

Case sample(const std::string& name) {
    return plugin_testing::sample_case(std::string(VIKNO_SOURCE_DIR) + "/config/samples", name);
}

const ExchangeContext kContext{{"SEVDEIR-TEST", "GOV", "12345678", "VIKNO"}, "req-0001", "operator-17", "case-1"};

RegistryAnswer json_answer(int status, const std::string& body) {
    return {status, {{"Content-Type", "application/json"}}, body};
}

}  // namespace

TEST(Multipart, RoundTripAndRefusals) {
    const std::vector<Part> parts{{"encodeData", "a.pdf", "application/pdf", "%PDF-1.4\r\nbinary\r\n--not-a-boundary"},
                                  {"note", "", "", "plain"}};
    const std::string body = build_multipart(parts, "b0undary");
    const auto parsed = parse_multipart(body, boundary_of("multipart/form-data; boundary=b0undary"));
    ASSERT_TRUE(parsed);
    ASSERT_EQ(parsed->size(), 2U);
    EXPECT_EQ((*parsed)[0].filename, "a.pdf");
    EXPECT_EQ((*parsed)[0].body, parts[0].body);
    EXPECT_EQ((*parsed)[1].name, "note");
    EXPECT_FALSE(parse_multipart(body.substr(0, body.size() / 2), "b0undary"));
    EXPECT_FALSE(parse_multipart(body, "other"));
    EXPECT_EQ(boundary_of("application/json"), "");
}

TEST(Validation, FilesToSignNeedNamesAndSha256) {
    Case c = sample("diia-sign-files");
    EXPECT_TRUE(validate_case(c).empty());
    c.subject->getArray("files")->getObject(0)->set("sha256", "not-a-hash");
    const auto errors = validate_case(c);
    ASSERT_EQ(errors.size(), 1U);
    EXPECT_EQ(errors[0].field, "subject.files[0].sha256");
}

TEST(Interpretation, SessionThenDeepLinkThenAwait) {
    const Settings settings;
    const Case c = sample("diia-sign-files");
    const Exchange session = translate_case(c, kContext, settings).value();
    EXPECT_EQ(session.path, "/api/v1/auth/acquirer/vikno-dev-acquirer");
    EXPECT_EQ(find_header(session.headers, "Authorization"), "Basic " + crypto::base64("vikno:dev-secret"));

    const auto next = interpret_answer(c, session, json_answer(200, R"({"token":"t-1"})"), settings);
    ASSERT_EQ(next.verdict, Verdict::Continue);
    ASSERT_TRUE(next.next);
    EXPECT_EQ(next.next->path, "/api/v2/acquirers/branch/branch-vinnytsia-01/offer-request/dynamic");
    EXPECT_EQ(find_header(next.next->headers, "Authorization"), "Bearer t-1");
    EXPECT_NE(next.next->body.find(R"("requestId":"req-0001")"), std::string::npos) << next.next->body;
    EXPECT_NE(next.next->body.find(R"("hashedFiles":[{"fileName":"zayava.pdf")"), std::string::npos) << next.next->body;

    const auto waiting =
        interpret_answer(c, *next.next, json_answer(200, R"({"deeplink":"https://diia.app/x"})"), settings);
    EXPECT_EQ(waiting.verdict, Verdict::Await);
    EXPECT_EQ(waiting.awaiting, "req-0001");
    EXPECT_EQ(plugin_testing::document(waiting.outcome)->getValue<std::string>("deeplink"), "https://diia.app/x");

    EXPECT_EQ(
        interpret_answer(c, session, json_answer(401, R"({"message":"wrong partner credentials"})"), settings).verdict,
        Verdict::Failed);
    EXPECT_EQ(interpret_answer(c, session, json_answer(503, ""), settings).verdict, Verdict::Retry);
    EXPECT_EQ(interpret_answer(c, session, json_answer(200, "{}"), settings).verdict, Verdict::Retry);
}

TEST(Callback, FilesCompleteNoFilesIsADeclineGarbageFails) {
    const Case c = sample("diia-document-request");
    const std::string body = build_multipart({{"encodeData", "passport.pdf", "application/pdf", "%PDF"}}, "bnd");
    RegistryAnswer callback{
        0, {{"Content-Type", "multipart/form-data; boundary=bnd"}, {kTraceHeader, "req-0001"}}, body};
    const auto done = read_callback(c, callback);
    EXPECT_EQ(done.verdict, Verdict::Completed);
    EXPECT_EQ(plugin_testing::document(done.outcome)
                  ->getArray("files")
                  ->getObject(0)
                  ->getValue<std::string>("content_base64"),
              crypto::base64("%PDF"));
    callback.body = build_multipart({}, "bnd");
    EXPECT_EQ(read_callback(c, callback).verdict, Verdict::Rejected);
    callback.body = "garbage";
    EXPECT_EQ(read_callback(c, callback).verdict, Verdict::Failed);
}

TEST(Settings, UnknownKeysAreRefused) {
    EXPECT_FALSE(parse_settings({{"acquirer", "x"}}).ok());
    EXPECT_FALSE(parse_settings({{"auth_basic", "no-colon"}}).ok());
    EXPECT_TRUE(parse_settings({{"branch_id", "b-2"}}).ok());
}
