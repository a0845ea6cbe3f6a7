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
    const std::string dir = ::testing::TempDir();
    const std::string config = dir + "/bad.jsonc";
    std::ofstream(config) << R"({"xroad": {"member_code": "12345678"}, "dispatch": {"wrokers": 2},
                                 "plugins": {"load": [{"file": "x.so", "endpoint": "http://127.0.0.1:1/"}]}})";
    Process gateway({VIKNO_BIN, "serve", "--config", config}, dir + "/bad.out");
    EXPECT_EQ(gateway.wait_exit(std::chrono::seconds(10)), 2);
    EXPECT_NE(read_file(dir + "/bad.out").find(config + ": dispatch.wrokers: unknown key"), std::string::npos);

    const std::string plugin_config = dir + "/bad-plugin.jsonc";
    std::ofstream(plugin_config) << R"({"xroad": {"member_code": "12345678"}, "store": {"path": ")" << dir
                                 << R"(/bad.db"}, "plugins": {"dir": ")" << VIKNO_TEST_PLUGIN_DIR
                                 << R"(", "load": [{"file": "libvikno-test-wrong_version.so", "endpoint": "http://127.0.0.1:1/"}]}})";
    Process refused({VIKNO_BIN, "serve", "--config", plugin_config}, dir + "/bad-plugin.out");
    EXPECT_EQ(refused.wait_exit(std::chrono::seconds(10)), 2);
    EXPECT_NE(read_file(dir + "/bad-plugin.out").find("libvikno-test-wrong_version.so: built for plugin interface"),
              std::string::npos)
        << read_file(dir + "/bad-plugin.out");
}
