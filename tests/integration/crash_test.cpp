// An accepted case survives kill -9 and is not sent twice.
#include "harness.h"

#include <vikno/plugin.h>

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>
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
    EXPECT_NE(out.find("libvikno-test-wrong_version.so: built for plugin interface version " +
                       std::to_string(vikno::kPluginApiVersion - 1) + ", this gateway speaks version " +
                       std::to_string(vikno::kPluginApiVersion)),
              std::string::npos)
        << out;

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

// Load, and kill -9 at random moments, twenty times: every case that got a 202 completes exactly
// once, and the registry processed each message once (a retry after a crash between sending and
// recording carries the same message id and is answered from the registry's replay cache).
TEST(Crash, TwentyKillsUnderLoadLoseNothingAndSendNothingTwice) {
    Stack stack;
    stack.start_simulator({"--latency-ms", "3"});
    const std::string dispatch =
        R"({"workers": 4, "max_attempts": 100, "backoff_initial_ms": 10, "backoff_max_ms": 50})";
    stack.start_gateway(dispatch);
    std::mt19937 dice(2026);
    std::vector<std::string> accepted;
    for (int kill = 0; kill < 20; ++kill) {
        for (int i = 0; i < 4; ++i) {
            try {
                accepted.push_back(stack.submit(i % 2 == 0 ? "marriage-extract" : "birth-extract",
                                                "kill-" + std::to_string(kill) + "-" + std::to_string(i)));
            } catch (const std::exception&) {
                // no 202: nothing was promised for this one
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 40)(dice)));
        stack.kill_gateway();
        stack.start_gateway(dispatch);
    }
    ASSERT_GE(accepted.size(), 60U);
    for (const auto& id : accepted) {
        EXPECT_EQ(stack.wait_final(id, std::chrono::seconds(60))->getValue<std::string>("status"), "completed") << id;
    }
    std::map<std::string, int> processed;  // message id -> requests the registry really processed
    for (const auto& record : stack.records()) {
        if (!record->getValue<bool>("replay")) ++processed[record->getValue<std::string>("message_id")];
    }
    EXPECT_EQ(processed.size(), accepted.size());
    for (const auto& [message_id, count] : processed) EXPECT_EQ(count, 1) << message_id;
    const auto verified =
        run_vikno({"audit", "verify", "--dir", stack.audit_dir(), "--cert", pki("gateway-signing.crt")}, stack.dir);
    EXPECT_EQ(verified.code, 0) << verified.output;
}
