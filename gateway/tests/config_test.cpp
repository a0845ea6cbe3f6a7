#include "config/config.h"

#include <gtest/gtest.h>

using namespace vikno::gateway;

namespace {

const std::string kSecurity = R"(
  "server": {"tls": {"certificate": "gw.crt", "key": "gw.key", "client_ca": "cnap-ca.crt"}},
  "offices": [{"id": "vinnytsia-po-01", "services": ["*"]}, {"id": "kharkiv-cnap-03", "services": ["drac.*", "edr.search"]}],
  "signing": {"certificate": "sign.crt", "key": "sign.key"},
  "registry_tls": {"certificate": "gw.crt", "key": "gw.key"},)";

const std::string kMinimal = R"({
  // comments are allowed
  "xroad": {"member_code": "12345678"},   /* block comments too */)" +
                             kSecurity + R"(
  "plugins": {"load": [{"file": "libx.so", "endpoint": "https://127.0.0.1:1/", "tls_ca": "ca.crt",
                        "answer_certificate": "registry.crt", "settings": {"a": "b // not a comment"}}]}
})";

std::string error_of(const std::string& text) {
    try {
        parse_config(text, "test.jsonc");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

// The minimal file with more top-level keys; `more` starts with a comma.
std::string config_with(const std::string& more) { return kMinimal.substr(0, kMinimal.rfind('}')) + more + "}"; }

}  // namespace

TEST(Config, MinimalFileGetsDefaults) {
    const Config config = parse_config(kMinimal, "test.jsonc");
    EXPECT_EQ(config.server.port, 8080);
    EXPECT_EQ(config.dispatch.workers, 4);
    ASSERT_EQ(config.plugins.size(), 1U);
    EXPECT_EQ(config.plugins[0].settings.at("a"), "b // not a comment");
    EXPECT_EQ(config.plugins[0].answer_certificate, "registry.crt");
    EXPECT_EQ(config.server.tls.client_ca, "cnap-ca.crt");
}

TEST(Config, OfficesMayRequestTheirListedServicesOnly) {
    const Config config = parse_config(kMinimal, "test.jsonc");
    ASSERT_NE(config.office("kharkiv-cnap-03"), nullptr);
    EXPECT_EQ(config.office("kyiv-cnap-11"), nullptr);
    const OfficeConfig& kharkiv = *config.office("kharkiv-cnap-03");
    EXPECT_TRUE(kharkiv.may_request("drac.birth-extract"));
    EXPECT_TRUE(kharkiv.may_request("edr.search"));
    EXPECT_FALSE(kharkiv.may_request("edr.search-by-passport"));
    EXPECT_FALSE(kharkiv.may_request("drrp.extract"));
    EXPECT_FALSE(kharkiv.may_request("dracx.birth"));
    EXPECT_TRUE(config.office("vinnytsia-po-01")->may_request("anything.at-all"));
}

TEST(Config, SecurityIsRequiredAndPlainHttpToRegistriesIsRefused) {
    const std::string plugins =
        R"("plugins": {"load": [{"file": "a.so", "endpoint": "https://127.0.0.1:1/", "tls_ca": "ca.crt", "answer_certificate": "r.crt"}]})";
    EXPECT_NE(error_of(R"({"xroad": {"member_code": "12345678"}, )" + plugins + "}").find("server.tls: required"),
              std::string::npos);
    std::string no_pin = kMinimal;
    no_pin.replace(no_pin.find(R"("answer_certificate": "registry.crt", )"), 38, "");
    EXPECT_NE(error_of(no_pin).find("plugins.load[0].answer_certificate: required"), std::string::npos)
        << error_of(no_pin);
    std::string plain = kMinimal;
    plain.replace(plain.find("https://"), 8, "http://");
    EXPECT_NE(error_of(plain).find("registries are reached over TLS only"), std::string::npos);
    std::string no_offices = kMinimal;
    const auto from = no_offices.find(R"("offices": [)");
    no_offices.replace(from, no_offices.find("}],", from) + 3 - from, R"("offices": [],)");
    EXPECT_NE(error_of(no_offices).find("offices: required"), std::string::npos) << error_of(no_offices);
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
    EXPECT_NE(
        error_of(
            R"({"xroad": {"member_code": "12345678"}, "plugins": {"load": [{"file": "a.so", "endpoint": "ftp://x/"}]}})")
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

TEST(Config, CallbacksNeedAnHttpsUrlAndTheBackEndsCa) {
    const std::string office_with = R"({"xroad": {"member_code": "12345678"},
      "server": {"tls": {"certificate": "gw.crt", "key": "gw.key", "client_ca": "cnap-ca.crt"}},
      "signing": {"certificate": "sign.crt", "key": "sign.key"},
      "registry_tls": {"certificate": "gw.crt", "key": "gw.key"},
      "plugins": {"load": [{"file": "libx.so", "endpoint": "https://127.0.0.1:1/", "tls_ca": "ca.crt",
                            "answer_certificate": "registry.crt"}]},
      "offices": [{"id": "vinnytsia-po-01", "services": ["*"], )";
    EXPECT_NE(error_of(office_with + R"("callback_url": "https://cnap.example/events"}]})")
                  .find("test.jsonc: callbacks.tls_ca: required when an office has callback_url"),
              std::string::npos);
    EXPECT_NE(error_of(office_with + R"("callback_url": "http://cnap.example/events"}],
                                        "callbacks": {"tls_ca": "cnap-backends.crt"}})")
                  .find("offices[0].callback_url: expected the office back-end's callback URL as https://"),
              std::string::npos);
    const Config config = parse_config(office_with + R"("callback_url": "https://cnap.example/events",
        "callback_hosts": ["cnap.example"]}], "callbacks": {"tls_ca": "cnap-backends.crt", "workers": 3}})",
                                       "test.jsonc");
    EXPECT_EQ(config.offices[0].callback_url, "https://cnap.example/events");
    EXPECT_TRUE(config.offices[0].may_call_back("cnap.example"));
    EXPECT_FALSE(config.offices[0].may_call_back("evil.example"));
    EXPECT_EQ(config.callbacks.workers, 3);
}

TEST(ConsoleConfig, UsersHaveARoleAndASupervisorItsOffice) {
    const Config config = parse_config(config_with(R"(, "console": {"listen": "127.0.0.1:0", "client_ca": "people.crt",
      "users": [{"name": "auditor-olena", "role": "auditor"},
                {"name": "supervisor-vinnytsia", "role": "supervisor", "office": "vinnytsia-po-01"}]})"),
                                       "test.jsonc");
    ASSERT_TRUE(config.console.enabled);
    EXPECT_EQ(config.console.port, 0);
    ASSERT_NE(config.console.user("supervisor-vinnytsia"), nullptr);
    EXPECT_EQ(config.console.user("supervisor-vinnytsia")->office, "vinnytsia-po-01");
    EXPECT_EQ(config.console.user("auditor-olena")->role, ConsoleUser::Role::Auditor);
    EXPECT_EQ(config.console.user("vinnytsia-po-01"), nullptr);  // an office is no console user
    EXPECT_FALSE(parse_config(config_with(""), "test.jsonc").console.enabled);
}

TEST(ConsoleConfig, MistakesNameTheKeyAndTheFix) {
    EXPECT_NE(error_of(config_with(R"(, "console": {"users": [{"name": "a", "role": "auditor"}]})"))
                  .find("test.jsonc: console.client_ca: required"),
              std::string::npos);
    EXPECT_NE(error_of(config_with(R"(, "console": {"client_ca": "p.crt", "users": [{"name": "a", "role": "boss"}]})"))
                  .find("console.users[0].role: expected auditor or supervisor, got 'boss'"),
              std::string::npos);
    EXPECT_NE(error_of(config_with(R"(, "console": {"client_ca": "p.crt",
                "users": [{"name": "s", "role": "supervisor", "office": "kyiv-cnap-11"}]})"))
                  .find("console.users[0].office: expected the id of the office"),
              std::string::npos);
    EXPECT_NE(error_of(config_with(R"(, "console": {"client_ca": "p.crt", "users": [{"name": "a", "role": "auditor"},
                {"name": "a", "role": "auditor"}]})"))
                  .find("console.users[1].name: 'a' is listed twice"),
              std::string::npos);
    EXPECT_NE(
        error_of(config_with(R"(, "console": {"client_ca": "p.crt", "users": []})")).find("console.users: required"),
        std::string::npos);
}
