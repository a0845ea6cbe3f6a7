// A REST registry's JSON answer, opened the same way for every plugin.

#include <vikno/json_answer.h>

#include <Poco/JSON/Parser.h>

#include <gtest/gtest.h>

using namespace vikno;

namespace {

const rest::RegistryName kName{"Реєстр", "The register"};

RegistryAnswer answer(int status, const std::string& body) {
    return {status, {{"Content-Type", "application/json"}}, body};
}

Poco::JSON::Object::Ptr object(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

TEST(JsonAnswer, FiveHundredsAreUnavailableAndNonObjectsMalformed) {
    EXPECT_EQ(rest::open_json_answer(answer(503, "{}"), kName).decided->reason, "HTTP 503");
    for (const char* body : {"", "null", "[1]", "\"text\"", "{", "<html/>"}) {
        const auto opened = rest::open_json_answer(answer(200, body), kName);
        ASSERT_TRUE(opened.decided) << body;
        EXPECT_EQ(opened.decided->verdict, Verdict::Retry) << body;
        EXPECT_EQ(opened.decided->reason, "malformed answer: not a JSON object") << body;
    }
    const auto ok = rest::open_json_answer(answer(201, R"({"id": "7"})"), kName);
    ASSERT_FALSE(ok.decided);
    EXPECT_EQ(ok.json->getValue<std::string>("id"), "7");
}

TEST(JsonAnswer, TheFirstErrorIsReadWhateverTheListHolds) {
    const auto error = rest::first_error(object(R"({"errors": [{"code": "E1", "message": "no"}, {"code": "E2"}]})"));
    EXPECT_EQ(error.code, "E1");
    EXPECT_EQ(error.message, "no");
    for (const char* body : {R"({})", R"({"errors": []})", R"({"errors": [null]})", R"({"errors": [7, {}]})",
                             R"({"errors": {"code": "E1"}})", R"({"errors": [{"code": null, "message": 5}]})"}) {
        const auto empty = rest::first_error(object(body));
        EXPECT_EQ(empty.code, "") << body;
        EXPECT_EQ(empty.message, "") << body;
    }
    EXPECT_EQ(rest::first_error(nullptr).code, "");
}
