// Faults that must not lose a case (issue "Faults that must not lose a case"): a registry that
// stops answering, a disk that fills up. Each test compares figures measured in the same run.
#include "harness.h"

#include <gtest/gtest.h>

#include <Poco/File.h>
#include <Poco/JSON/Array.h>

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

using namespace vikno::testing;

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t ms_since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// Exchanges the gateway has in flight with `registry` (GET /v1/registries).
int in_flight(Stack& stack, const std::string& registry) {
    const auto list = http(stack.gateway_address, "GET", "/v1/registries").json()->getArray("registries");
    for (std::size_t i = 0; i < list->size(); ++i) {
        if (list->getObject(i)->getValue<std::string>("name") == registry) {
            return list->getObject(i)->getValue<int>("in_flight");
        }
    }
    return -1;
}

// Submits `n` cases of `sample` at once and waits until all are final; how long that took.
std::int64_t complete_batch(Stack& stack, const std::string& sample, int n, const std::string& tag) {
    const auto start = Clock::now();
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) ids.push_back(stack.submit(sample, unique_key(tag + std::to_string(i))));
    for (const auto& id : ids) EXPECT_EQ(stack.wait_final(id)->getValue<std::string>("status"), "completed") << id;
    return ms_since(start);
}

}  // namespace

TEST(Faults, AStalledRegistryHoldsOnlyItsOwnSlotsWhileAnotherKeepsItsRate) {
    Stack stack;
    stack.start_simulator();
    stack.start_registry("real_estate");
    // Four workers, at most two per registry; a breaker that would not open during the test, so
    // that only the slots keep the stalled registry from holding every worker.
    stack.start_gateway(R"({"workers": 4, "registry_max_in_flight": 2, "max_attempts": 100,
        "backoff_initial_ms": 50, "backoff_max_ms": 200, "connect_timeout_ms": 500, "request_timeout_ms": 3000,
        "breaker_failures": 1000})");
    const std::int64_t normal = complete_batch(stack, "property-by-cadastral-number", 16, "before-stall");

    ASSERT_EQ(::kill(stack.simulator_pid(), SIGSTOP), 0);
    std::vector<std::string> stalled;
    for (int i = 0; i < 8; ++i) stalled.push_back(stack.submit("birth-extract", unique_key("stalled")));
    for (int i = 0; i < 200 && in_flight(stack, "civil_registry") < 2; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(in_flight(stack, "civil_registry"), 2);  // every slot it may have, and no more
    const std::int64_t during = complete_batch(stack, "property-by-cadastral-number", 16, "during-stall");
    EXPECT_LE(in_flight(stack, "civil_registry"), 2);
    ASSERT_EQ(::kill(stack.simulator_pid(), SIGCONT), 0);

    // Without a limit the stalled registry holds all four workers for its 3 s deadline at a time.
    EXPECT_LT(during, std::max<std::int64_t>(normal * 5 / 2, normal + 1500))
        << "16 real estate cases took " << during << " ms with the civil registry stopped, " << normal << " ms before";
    for (const auto& id : stalled) {
        EXPECT_EQ(stack.wait_final(id, std::chrono::seconds(40))->getValue<std::string>("status"), "completed");
    }
    // The stalled attempts ended at their deadline and were retried under each case's one message
    // id: the registry did each request once and answered the others as replays.
    std::map<std::string, int> done_per_message;
    for (const auto& record : stack.records()) {
        if (!record->getValue<bool>("replay")) ++done_per_message[record->getValue<std::string>("message_id")];
    }
    EXPECT_EQ(done_per_message.size(), stalled.size());
    for (const auto& [message_id, done] : done_per_message) EXPECT_EQ(done, 1) << message_id;
}

// A worker that waits for work takes a new case straight from its submission, claimed in the same
// commit (the 202 already says "sending"); a case whose registry has no free slot waits queued, as
// every case did before. Each is sent once.
TEST(Faults, AnIdleWorkerTakesACaseAtItsSubmissionAndAFullRegistrysCaseWaitsQueued) {
    Stack stack;
    stack.start_simulator();
    stack.start_gateway(R"({"workers": 2, "registry_max_in_flight": 1, "max_attempts": 3,
        "backoff_initial_ms": 50, "backoff_max_ms": 200, "connect_timeout_ms": 500, "request_timeout_ms": 10000})");
    const auto submit = [&](const std::string& key) {
        const HttpReply reply = http(stack.gateway_address, "POST", "/v1/cases", sample_case("birth-extract"),
                                     {{"Content-Type", "application/json"}, {"Idempotency-Key", unique_key(key)}},
                                     identity_for_sample("birth-extract"));
        EXPECT_EQ(reply.status, 202) << reply.body;
        const auto json = reply.json();
        stack.track(json->getValue<std::string>("id"), identity_for_sample("birth-extract"));
        return std::make_pair(json->getValue<std::string>("id"), json->getValue<std::string>("status"));
    };
    // A worker may be claiming just then (at start, or on its idle poll): then the case is queued
    // and claimed as before. An idle gateway hands over nearly every case.
    std::vector<std::string> ids;
    int handed = 0;
    for (int i = 0; i < 10 && handed == 0; ++i) {
        const auto [id, status] = submit("handed");
        ids.push_back(id);
        EXPECT_TRUE(status == "sending" || status == "queued") << status;
        handed += status == "sending" ? 1 : 0;
        stack.wait_final(id);
    }
    EXPECT_EQ(handed, 1);

    ASSERT_EQ(::kill(stack.simulator_pid(), SIGSTOP), 0);
    const std::string taken = submit("taken").first;
    for (int i = 0; i < 200 && in_flight(stack, "civil_registry") < 1; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(in_flight(stack, "civil_registry"), 1);
    const auto [waiting, waiting_status] = submit("waiting");
    EXPECT_EQ(waiting_status, "queued");  // the registry's one slot is taken
    EXPECT_EQ(http(stack.gateway_address, "GET", "/v1/cases/" + waiting, "", {}, identity_for_sample("birth-extract"))
                  .json()
                  ->getValue<std::string>("status"),
              "queued");
    ASSERT_EQ(::kill(stack.simulator_pid(), SIGCONT), 0);

    ids.push_back(taken);
    ids.push_back(waiting);
    for (const auto& id : ids) {
        const auto done = stack.wait_final(id);
        EXPECT_EQ(done->getValue<std::string>("status"), "completed") << id;
        std::vector<std::string> statuses;
        const auto history = done->getArray("history");
        for (std::size_t i = 0; i < history->size(); ++i) {
            statuses.push_back(history->getObject(i)->getValue<std::string>("status"));
        }
        EXPECT_EQ(statuses, (std::vector<std::string>{"received", "queued", "sending", "completed"})) << id;
    }
    std::map<std::string, int> sent_per_message;
    for (const auto& record : stack.records()) ++sent_per_message[record->getValue<std::string>("message_id")];
    EXPECT_EQ(sent_per_message.size(), ids.size());
    for (const auto& [message_id, sent] : sent_per_message) EXPECT_EQ(sent, 1) << message_id;
}

namespace {

// A small tmpfs mounted at `dir` for the gateway's store and audit log, so that a test can fill it.
// Needs root (or CAP_SYS_ADMIN); where mounting is not allowed, `refusal` says why.
class SmallDisk {
public:
    SmallDisk(const std::string& dir, int mib) : dir_(dir) {
        Poco::File(dir).createDirectories();
        const std::string options = "size=" + std::to_string(mib) + "m,mode=0700";
        if (::geteuid() != 0) {
            refusal = "the tests run as uid " + std::to_string(::geteuid()) + ", and mounting a tmpfs needs root";
        } else if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) {
            refusal = std::string("mount(2) of a tmpfs was refused: ") + std::strerror(errno);
        } else {
            mounted_ = true;
        }
    }
    ~SmallDisk() {
        if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);  // the gateway may still hold files in it
    }
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;

    bool mounted() const { return mounted_; }
    /// Writes a file until the file system has no byte left.
    void fill() {
        const int fd = ::open((dir_ + "/filler").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        ASSERT_GE(fd, 0);
        const std::string chunk(64 * 1024, 'f');
        for (std::size_t size = chunk.size(); size > 0; size /= 2) {
            while (::write(fd, chunk.data(), size) == static_cast<ssize_t>(size)) {}
        }
        ::close(fd);
    }
    void free() { ::unlink((dir_ + "/filler").c_str()); }

    std::string refusal;

private:
    std::string dir_;
    bool mounted_ = false;
};

// Submits birth-extract cases one after another until stopped: the ids accepted, and every other
// answer by status and problem type.
class Submitter {
public:
    explicit Submitter(Stack& stack) : stack_(stack), thread_([this] { run(); }) {}
    ~Submitter() { stop(); }
    void stop() {
        stopping_ = true;
        if (thread_.joinable()) thread_.join();
    }
    std::size_t accepted_count() {
        std::lock_guard lock(mutex_);
        return accepted.size();
    }
    int refused_count(const std::string& answer) {
        std::lock_guard lock(mutex_);
        return refused[answer];
    }
    // Read after stop().
    std::vector<std::string> accepted;
    std::map<std::string, int> refused;  // "503 urn:vikno:problem:storage-full" -> count
    bool retry_after_on_every_refusal = true;

private:
    void run() {
        for (int n = 0; !stopping_; ++n) {
            const HttpReply reply = http(
                stack_.gateway_address, "POST", "/v1/cases", sample_case("birth-extract"),
                {{"Content-Type", "application/json"}, {"Idempotency-Key", unique_key("disk" + std::to_string(n))}});
            if (reply.status == 202) {
                const std::string id = reply.json()->getValue<std::string>("id");
                std::lock_guard lock(mutex_);
                stack_.track(id, "office-vinnytsia");
                accepted.push_back(id);
                continue;
            }
            const std::string type = reply.content_type.find("problem+json") != std::string::npos
                                         ? reply.json()->getValue<std::string>("type")
                                         : "";
            {
                std::lock_guard lock(mutex_);
                ++refused[std::to_string(reply.status) + " " + type];
                if (reply.headers.count("Retry-After") == 0) retry_after_on_every_refusal = false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));  // as a client honouring 503 would, briefly
        }
    }
    Stack& stack_;
    std::mutex mutex_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

int status_of_health(Stack& stack) { return http(stack.gateway_address, "GET", "/healthz").status; }

template <typename Condition>
bool wait_for(Condition condition, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return condition();
}

}  // namespace

TEST(Faults, AFullDiskPausesTheGatewayAndLosesOrFailsNoCase) {
    Stack stack;
    if (!stack.postgres.empty()) GTEST_SKIP() << "the gateway's own disk matters to the embedded store only";
    SmallDisk disk(stack.dir + "/var", 48);
    if (!disk.mounted()) {
        GTEST_SKIP() << "full-disk test skipped: " << disk.refusal
                     << ". Run the suite as root where mount(2) is allowed (make test on a fresh Debian machine) "
                        "to test it; tests/faults/run.sh repeats it at scale";
    }
    stack.var_dir = stack.dir + "/var";
    stack.min_free_bytes = 4 << 20;
    // A registry that takes its time, so that cases are in flight when the disk fills; three attempts,
    // so that a case failed for the disk's sake would show.
    stack.start_simulator({"--latency-ms", "100"});
    stack.start_gateway(R"({"workers": 2, "max_attempts": 3, "backoff_initial_ms": 50, "backoff_max_ms": 200,
        "connect_timeout_ms": 500, "request_timeout_ms": 5000})");

    Submitter load(stack);
    ASSERT_TRUE(wait_for([&] { return load.accepted_count() >= 20; }, std::chrono::seconds(20)));
    disk.fill();
    ASSERT_TRUE(wait_for([&] { return status_of_health(stack) == 503; }, std::chrono::seconds(10)));
    const HttpReply health = http(stack.gateway_address, "GET", "/healthz");
    EXPECT_EQ(health.json()->getValue<std::string>("status"), "storage-full") << health.body;
    EXPECT_NE(http(stack.gateway_address, "GET", "/metrics").body.find("\nvikno_storage_full 1\n"), std::string::npos);
    // The gateway stays full for a while under load: writes are refused, cases wait.
    ASSERT_TRUE(wait_for([&] { return load.refused_count("503 urn:vikno:problem:storage-full") >= 30; },
                         std::chrono::seconds(20)));
    const auto sent_while_full = stack.records().size();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_LE(stack.records().size(), sent_while_full + 2U);  // dispatch paused (at most the exchanges in flight)

    disk.free();
    const auto freed = Clock::now();
    ASSERT_TRUE(wait_for([&] { return status_of_health(stack) == 200; }, std::chrono::seconds(10)));
    const std::int64_t recovery_ms = ms_since(freed);
    ASSERT_TRUE(wait_for([&] { return load.accepted_count() >= 60; }, std::chrono::seconds(20)));  // taking cases again
    load.stop();

    EXPECT_TRUE(load.retry_after_on_every_refusal);
    for (const auto& [answer, count] : load.refused) {
        EXPECT_EQ(answer, "503 urn:vikno:problem:storage-full") << count << " answers";
    }
    int completed = 0;
    for (const auto& id : load.accepted) {
        const auto status = stack.wait_final(id, std::chrono::seconds(60))->getValue<std::string>("status");
        EXPECT_EQ(status, "completed") << id;
        completed += status == "completed" ? 1 : 0;
    }
    // Every request the registry carried out belongs to a case that recorded it: one processed
    // message id per accepted case, none done twice.
    std::map<std::string, int> done_per_message;
    for (const auto& record : stack.records()) {
        if (!record->getValue<bool>("replay")) ++done_per_message[record->getValue<std::string>("message_id")];
    }
    EXPECT_EQ(done_per_message.size(), load.accepted.size());
    for (const auto& [message_id, done] : done_per_message) EXPECT_EQ(done, 1) << message_id;
    EXPECT_EQ(stack.stop_gateway(), 0);
    const auto verified = run_vikno(
        {"audit", "verify", "--dir", stack.var_dir + "/audit", "--cert", pki("gateway-signing.crt")}, stack.dir);
    EXPECT_EQ(verified.code, 0) << verified.output;
    // Said once per episode, not once per refused write.
    const std::string log = read_file(stack.gateway_log);
    std::size_t said = 0;
    for (auto at = log.find("storage: out of space"); at != std::string::npos;
         at = log.find("storage: out of space", at + 1)) {
        ++said;
    }
    EXPECT_GE(said, 1U);
    EXPECT_LE(said, 10U);
    std::printf(
        "full disk: %zu accepted, %d completed, %d refused with storage-full, recovered %lld ms after the "
        "space was freed\n",
        load.accepted.size(), completed, load.refused["503 urn:vikno:problem:storage-full"],
        static_cast<long long>(recovery_ms));
}
