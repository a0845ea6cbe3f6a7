#include "config/config.h"

#include <gtest/gtest.h>

using namespace vikno::gateway;

namespace {

const std::string kMinimal = R"({
  // comments are allowed
  "xroad": {"member_code": "12345678"},   /* block comments too */
  "plugins": {"load": [{"file": "libx.so", "endpoint": "http://127.0.0.1:1/", "settings": {"a": "b // not a comment"}}]}
})";

std::string error_of(const std::string& text) {
    try {
        parse_config(text, "test.jsonc");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Config, MinimalFileGetsDefaults) {
    const Config config = parse_config(kMinimal, "test.jsonc");
    EXPECT_EQ(config.server.port, 8080);
    EXPECT_EQ(config.dispatch.workers, 4);
    ASSERT_EQ(config.plugins.size(), 1U);
    EXPECT_EQ(config.plugins[0].settings.at("a"), "b // not a comment");
}

TEST(Config, ErrorsNameTheFileTheKeyAndWhatIsExpected) {
    EXPECT_EQ(error_of(R"({"servr": {}})").rfind("test.jsonc: servr: unknown key; expected one of:", 0), 0U);
    EXPECT_NE(error_of(R"({"dispatch": {"workers": 0}, "xroad": {"member_code": "12345678"}})")
                  .find("test.jsonc: dispatch.workers: expected an integer from 1 to 256, got 0"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"xroad": {"member_code": "12345679"}})").find("xroad.member_code: expected the EDRPOU"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"server": {"listen": "nohost"}, "xroad": {"member_code": "12345678"}})")
                  .find("server.listen: expected HOST:PORT"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"xroad": {"member_code": "12345678"}, "plugins": {"load": [{"file": "a.so", "endpoint": "ftp://x/"}]}})")
                  .find("plugins.load[0].endpoint"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"xroad": {"member_code": "12345678"}})").find("plugins.load: no plugins listed"),
              std::string::npos);
    EXPECT_NE(error_of("{ not json").find("test.jsonc: not valid JSON"), std::string::npos);
}

TEST(Config, MissingFileSaysHowToGiveOne) {
    try {
        load_config("/nonexistent/vikno.jsonc");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("--config"), std::string::npos);
    }
}
