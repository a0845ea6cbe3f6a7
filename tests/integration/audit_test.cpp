// The audit log across real processes: every exchange and case event is in it with the wire
// bytes, `vikno audit verify` passes on an honest log and names the first bad place in every kind
// of tampered one, evidence bundles check offline, and a kill -9 under load loses nothing that
// was acknowledged.
#include "harness.h"

#include <Poco/File.h>

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <set>
#include <thread>

using namespace vikno::testing;

namespace {

std::string cert() { return pki("gateway-signing.crt"); }

CommandResult audit(Stack& stack, std::vector<std::string> args, const std::string& dir = "") {
    args.insert(args.begin(), "audit");
    args.insert(args.end(), {"--dir", dir.empty() ? stack.audit_dir() : dir, "--cert", cert()});
    return run_vikno(args, stack.dir);
}

std::vector<std::string> lines_of(const std::string& path) {
    std::vector<std::string> lines;
    std::istringstream in(read_file(path));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (const auto& line : lines) out << line << '\n';
}

// A copy of the audit folder to tamper with.
std::string copy_of(Stack& stack, const std::string& name) {
    const std::string dir = stack.dir + "/" + name;
    Poco::File(stack.audit_dir()).copyTo(dir);
    return dir;
}

// A finished, sealed log of three cases.
struct SealedLog : ::testing::Test {
    Stack stack;
    std::vector<std::string> ids;
    void SetUp() override {
        stack.start_simulator();
        stack.start_gateway();
        // Two runs of the gateway: checkpoints at the first start (empty), at each shutdown.
        ids.push_back(stack.submit("birth-extract", "audit-birth"));
        stack.wait_final(ids[0]);
        ASSERT_EQ(stack.stop_gateway(), 0);
        stack.start_gateway();
        for (const auto* sample : {"marriage-extract", "death-extract"}) {
            ids.push_back(stack.submit(sample, std::string("audit-") + sample));
        }
        for (const auto& id : ids) stack.wait_final(id);
        ASSERT_EQ(stack.stop_gateway(), 0);
    }
};

}  // namespace

TEST_F(SealedLog, EveryExchangeAndCaseEventIsThereAndTheLogVerifies) {
    const auto verified = audit(stack, {"verify"});
    EXPECT_EQ(verified.code, 0) << verified.output;
    EXPECT_NE(verified.output.find("OK: 9 entries"), std::string::npos) << verified.output;

    const auto listed = audit(stack, {"list", "--case", ids[0]});
    EXPECT_EQ(listed.code, 0);
    EXPECT_NE(listed.output.find("  case  " + ids[0]), std::string::npos) << listed.output;
    EXPECT_NE(listed.output.find("received"), std::string::npos) << listed.output;
    EXPECT_NE(listed.output.find("exchange"), std::string::npos) << listed.output;
    EXPECT_NE(listed.output.find("completed"), std::string::npos) << listed.output;
    const auto exchanges = audit(stack, {"list", "--registry", "civil_registry", "--outcome", "completed"});
    EXPECT_EQ(std::count(exchanges.output.begin(), exchanges.output.end(), '\n'), 3) << exchanges.output;

    const std::string first_exchange = listed.output.substr(listed.output.find('\n') + 1);
    const std::string index = first_exchange.substr(0, first_exchange.find(' '));
    const auto shown = audit(stack, {"show", index});
    EXPECT_EQ(shown.code, 0);
    EXPECT_NE(shown.output.find("ds:Signature"), std::string::npos) << shown.output;  // wire bytes, signed
    EXPECT_NE(shown.output.find("signature check: verified"), std::string::npos) << shown.output;
    EXPECT_NE(shown.output.find("BirthRecordExtractResponse"), std::string::npos);
}

// The wire bytes are written once: the store's exchange row names the audit entry that holds them
// (across the gateway's restart, which the fixture includes), and that entry has them exactly as the
// registry received and answered them.
TEST_F(SealedLog, TheStoreRefersToEachExchangesAuditEntryAndKeepsNoCopyOfItsBytes) {
    std::set<std::string> received;  // request bodies as the simulator recorded them
    const int records = static_cast<int>(stack.records().size());
    for (int seq = 1; seq <= records; ++seq) received.insert(stack.record_body(seq));  // numbered from 1
    ASSERT_EQ(received.size(), ids.size());
    for (const auto& id : ids) {
        const auto exchanges = stack.stored_exchanges(id);
        ASSERT_EQ(exchanges.size(), 1U) << id;
        const auto& exchange = exchanges.front();
        EXPECT_TRUE(exchange.refers_to_audit_entry) << id;
        EXPECT_EQ(exchange.bytes_in_row, 0U) << id;
        EXPECT_EQ(exchange.http_status, 200);
        const auto body = exchange.request.find("\r\n\r\n");
        ASSERT_NE(body, std::string::npos) << id << ": no request bytes found where the store says";
        EXPECT_TRUE(exchange.request.starts_with("POST ")) << id;
        EXPECT_EQ(received.count(exchange.request.substr(body + 4)), 1U) << id;
        EXPECT_TRUE(exchange.response.starts_with("HTTP/1.1 200")) << id;
        EXPECT_NE(exchange.response.find("ds:Signature"), std::string::npos) << id;
    }
}

TEST_F(SealedLog, AnEvidenceBundleChecksOfflineAndOneChangedByteBreaksIt) {
    const std::string bundle = stack.dir + "/case.evidence.json";
    const auto exported = audit(stack, {"export", "--case", ids[1], "--out", bundle});
    ASSERT_EQ(exported.code, 0) << exported.output;
    const auto checked = run_vikno({"audit", "check-bundle", bundle, "--cert", cert()}, stack.dir);
    EXPECT_EQ(checked.code, 0) << checked.output;
    EXPECT_NE(checked.output.find("OK: 3 entries proven"), std::string::npos) << checked.output;

    // The same with nothing but bash, jq and sha256sum, as docs/audit.md shows auditors.
    const std::string prove = "bash " + std::string(VIKNO_SOURCE_DIR) + "/docs/tools/prove-entry.sh " + bundle;
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(std::system((prove + " " + std::to_string(i) + " >/dev/null").c_str()), 0) << "entry " << i;
    }

    std::string text = read_file(bundle);
    const auto at = text.find("operator-17");
    ASSERT_NE(at, std::string::npos);
    text[at + 9] = '8';  // operator-18
    std::ofstream(bundle, std::ios::trunc) << text;
    const auto broken = run_vikno({"audit", "check-bundle", bundle, "--cert", cert()}, stack.dir);
    EXPECT_EQ(broken.code, 1) << broken.output;
    EXPECT_NE(broken.output.find("is not in the signed log"), std::string::npos) << broken.output;
    EXPECT_NE(std::system((prove + " 0 >/dev/null").c_str()), 0);

    const auto stranger =
        run_vikno({"audit", "check-bundle", bundle, "--cert", pki("attacker-signing.crt")}, stack.dir);
    EXPECT_EQ(stranger.code, 1);
    EXPECT_NE(stranger.output.find("the checkpoint is not the gateway's"), std::string::npos) << stranger.output;
}

TEST_F(SealedLog, EveryKindOfTamperingIsFoundAndNamed) {
    const std::string entries = std::string("/") + "entries.jsonl";
    const std::string checkpoints = std::string("/") + "checkpoints.jsonl";
    const auto original = lines_of(stack.audit_dir() + entries);
    ASSERT_EQ(original.size(), 9U);

    const auto expect_tampered = [&](const std::string& dir, const std::string& named) {
        const auto result = audit(stack, {"verify"}, dir);
        EXPECT_EQ(result.code, 1) << dir << "\n" << result.output;
        EXPECT_NE(result.output.find("TAMPERED: " + named), std::string::npos) << dir << "\n" << result.output;
    };

    // One flipped byte inside entry 4's wire bytes (the JSON stays valid).
    std::string dir = copy_of(stack, "flipped");
    auto lines = original;
    const auto at = lines[4].find("\"request\":\"") + 40;
    lines[4][at] = lines[4][at] == 'A' ? 'B' : 'A';
    write_lines(dir + entries, lines);
    expect_tampered(dir, "entry 4 was changed");

    dir = copy_of(stack, "deleted");
    lines = original;
    lines.erase(lines.begin() + 3);
    write_lines(dir + entries, lines);
    expect_tampered(dir, "entry 3 is missing");

    dir = copy_of(stack, "inserted");
    lines = original;
    lines.insert(lines.begin() + 5, original[2]);
    write_lines(dir + entries, lines);
    expect_tampered(dir, "the entry at place 5 says it is entry 2");

    dir = copy_of(stack, "reordered");
    lines = original;
    std::swap(lines[6], lines[7]);
    write_lines(dir + entries, lines);
    expect_tampered(dir, "the entry at place 6 says it is entry 7");

    dir = copy_of(stack, "truncated");
    lines = original;
    lines.resize(7);
    write_lines(dir + entries, lines);
    expect_tampered(dir, "checkpoint");
    EXPECT_NE(audit(stack, {"verify"}, dir).output.find("entries 7 to 8 were removed"), std::string::npos);

    // A checkpoint rewritten to match changed entries, but without the gateway's key.
    dir = copy_of(stack, "replaced");
    auto marks = lines_of(dir + checkpoints);
    const auto root = marks.back().find("\"root\":\"") + 8;
    marks.back()[root] = marks.back()[root] == 'a' ? 'b' : 'a';
    write_lines(dir + checkpoints, marks);
    expect_tampered(dir, "checkpoint " + std::to_string(marks.size() - 1));
    EXPECT_NE(audit(stack, {"verify"}, dir).output.find("was replaced or changed"), std::string::npos);

    // A checkpoint removed from the middle of the chain.
    dir = copy_of(stack, "checkpoint-removed");
    marks = lines_of(dir + checkpoints);
    ASSERT_GE(marks.size(), 3U);
    marks.erase(marks.begin() + 1);
    write_lines(dir + checkpoints, marks);
    expect_tampered(dir, "checkpoint 1");

    // A verifier that trusts another key finds nothing of the gateway's signed.
    const auto stranger =
        run_vikno({"audit", "verify", "--dir", stack.audit_dir(), "--cert", pki("attacker-signing.crt")}, stack.dir);
    EXPECT_EQ(stranger.code, 1) << stranger.output;
}

TEST(AuditCrash, KilledUnderLoadTheLogStillVerifiesAndHoldsEveryAcknowledgedAnswer) {
    Stack stack;
    stack.start_simulator({"--latency-ms", "5"});
    stack.start_gateway(R"({"workers": 4, "max_attempts": 50, "backoff_initial_ms": 20, "backoff_max_ms": 100})");
    std::vector<std::string> ids;
    std::mt19937 dice(7);
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 15; ++i)
            ids.push_back(stack.submit("marriage-extract", "load-" + std::to_string(round) + "-" + std::to_string(i)));
        std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 60)(dice)));
        stack.kill_gateway();
        stack.start_gateway(R"({"workers": 4, "max_attempts": 50, "backoff_initial_ms": 20, "backoff_max_ms": 100})");
    }
    std::vector<std::string> final_status;
    for (const auto& id : ids) final_status.push_back(stack.wait_final(id)->getValue<std::string>("status"));
    const auto verified = audit(stack, {"verify"});
    EXPECT_EQ(verified.code, 0) << verified.output;
    // Every case the gateway reported final has its final event, and its receipt, in the log.
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const auto listed = audit(stack, {"list", "--case", ids[i]});
        EXPECT_NE(listed.output.find("received"), std::string::npos) << ids[i] << "\n" << listed.output;
        EXPECT_NE(listed.output.find("  case  " + ids[i]), std::string::npos);
        EXPECT_NE(listed.output.rfind(final_status[i]), std::string::npos) << ids[i] << "\n" << listed.output;
    }
}
