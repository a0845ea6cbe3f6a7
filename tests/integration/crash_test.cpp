// An accepted case survives kill -9 and is not sent twice.
#include "harness.h"

#include <gtest/gtest.h>

#include <fstream>

#include <thread>

using namespace vikno::testing;

TEST(Crash, KilledRightAfterTheAcceptBeforeSendingTheCaseStillCompletesOnce) {
    Stack stack;
    stack.start_simulator();
    const std::string sim_port = stack.sim_port;
    stack.stop_simulator();  // the registry is down: the case cannot leave before the crash
    stack.start_gateway(R"({"workers": 1, "max_attempts": 100, "backoff_initial_ms": 50, "backoff_max_ms": 100,
                            "connect_timeout_ms": 200})");
    const std::string id = stack.submit("birth-extract", "crash-1");
    stack.kill_gateway();
    stack.start_simulator();
    ASSERT_EQ(stack.sim_port, sim_port);
    stack.start_gateway();
    const auto done = stack.wait_final(id);
    EXPECT_EQ(done->getValue<std::string>("status"), "completed");
    const auto records = stack.records();
    ASSERT_EQ(records.size(), 1U);
    EXPECT_FALSE(records[0]->getValue<bool>("replay"));
}

TEST(Crash, KilledWhileTheRegistryIsAnsweringTheRetryCarriesTheSameMessageId) {
    Stack stack;
    stack.start_simulator({"--latency-ms", "1500"});
    stack.start_gateway();
    const std::string id = stack.submit("death-extract", "crash-2");
    // Wait until the request is in the simulator's hands (it records after the latency), then kill.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    stack.kill_gateway();
    stack.start_gateway();
    EXPECT_EQ(stack.wait_final(id)->getValue<std::string>("status"), "completed");
    const auto records = stack.records();
    ASSERT_EQ(records.size(), 2U);
    EXPECT_EQ(records[0]->getValue<std::string>("message_id"), records[1]->getValue<std::string>("message_id"));
    EXPECT_FALSE(records[0]->getValue<bool>("replay"));
    EXPECT_TRUE(records[1]->getValue<bool>("replay"));  // the registry deduplicated it
}

TEST(Crash, AnAnsweredCaseIsNotSentAgainAfterARestart) {
    Stack stack;
    stack.start_simulator();
    stack.start_gateway();
    const std::string id = stack.submit("marriage-extract", "crash-3");
    stack.wait_final(id);
    stack.kill_gateway();
    stack.start_gateway();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(stack.records().size(), 1U);
}

TEST(Startup, ABadConfigOrPluginStopsTheStartWithTheFileAndTheReason) {
    Stack stack;
    const auto refusal = [&](const std::string& config) {
        static int n = 0;
        const std::string out = stack.dir + "/refused-" + std::to_string(++n) + ".out";
        Process gateway({VIKNO_BIN, "serve", "--config", config}, out);
        EXPECT_EQ(gateway.wait_exit(std::chrono::seconds(10)), 2);
        return read_file(out);
    };
    const std::string typo = stack.dir + "/typo.jsonc";
    std::ofstream(typo) << R"({"xroad": {"member_code": "12345678"}, "dispatch": {"wrokers": 2},
                               "plugins": {"load": [{"file": "x.so", "endpoint": "https://127.0.0.1:1/"}]}})";
    EXPECT_NE(refusal(typo).find(typo + ": dispatch.wrokers: unknown key"), std::string::npos);

    stack.sim_port = "1";  // no registry needed: the start is refused before any exchange
    stack.plugin_dir = VIKNO_TEST_PLUGIN_DIR;
    stack.plugin_file = "libvikno-test-wrong_version.so";
    std::string out = refusal(stack.write_gateway_config());
    EXPECT_NE(out.find("libvikno-test-wrong_version.so: built for plugin interface version 999"), std::string::npos) << out;

    stack.plugin_dir = VIKNO_PLUGIN_DIR;
    stack.plugin_file = "libvikno-civil_registry.so";
    stack.signing_key = pki("office-kyiv.key");  // a key, but not the signing certificate's
    out = refusal(stack.write_gateway_config());
    EXPECT_NE(out.find("signing.key: " + pki("office-kyiv.key") + ": this key does not belong to the certificate"),
              std::string::npos)
        << out;

    stack.signing_key = pki("gateway-signing.key");
    stack.pinned_registry = "no-such-registry";
    out = refusal(stack.write_gateway_config());
    EXPECT_NE(out.find("plugins.load[0].answer_certificate: cannot read '" + pki("no-such-registry.crt") + "'"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("certs/make-dev-pki.sh"), std::string::npos) << out;
}
