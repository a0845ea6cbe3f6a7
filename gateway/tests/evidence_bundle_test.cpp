// Evidence bundles made from the log file by the CLI and the console: only the case's own entries,
// each proved against the latest checkpoint, and a clear refusal when the case is unknown, not yet
// sealed, or the log does not match its checkpoint. The whole round trip through the CLI and the
// offline checkers is in tests/integration/audit_test.cpp.
#include "audit/evidence_bundle.h"
#include "audit/audit_log.h"
#include "audit_test_key.h"
#include "console/audit_index.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace vikno;
using namespace vikno::gateway::audit;

namespace {

using gateway::audit_testing::key;

std::string fresh_dir() { return gateway::audit_testing::fresh_dir("vikno-bundle-"); }

Poco::JSON::Object::Ptr event(const std::string& case_id, const std::string& status) {
    Poco::JSON::Object::Ptr e = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    e->set("kind", "case_event");
    e->set("case_id", case_id);
    e->set("status", status);
    return e;
}

// "case-1" is a prefix of "case-12": a bundle of the first must not take the second's entries.
void append_cases(FileAuditLog& log) {
    for (int round = 0; round < 40; ++round) {
        log.append({event("case-12", "round " + std::to_string(round))});
        if (round == 3 || round == 29) log.append({event("case-1", "round " + std::to_string(round))});
    }
}

std::string text_of(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// What a bundle proves, without the time it was made.
std::string proved_part(const std::string& bundle) {
    Poco::JSON::Parser parser;
    const auto json = parser.parse(bundle).extract<Poco::JSON::Object::Ptr>();
    std::ostringstream out;
    json->getArray("entries")->stringify(out);
    json->getObject("checkpoint")->stringify(out);
    return out.str();
}

// A sealed log of 3,000 entries: one case's ten at the start, then 20 cases with entries spread over
// all of the rest.
std::string large_log() {
    const std::string dir = fresh_dir();
    FileAuditLog log({dir, 700, 3600}, key());
    for (int i = 0; i < 3000; ++i) {
        log.append({event(i < 10 ? "case-early" : "case-" + std::to_string(i % 20), "event " + std::to_string(i))});
    }
    return dir;
}

// An index that tells lies about the log's blocks.
class MisleadingIndex final : public LogIndex {
public:
    explicit MisleadingIndex(LogIndex& real) : real_(real) {}
    std::vector<LinePlace> lines_of_case(const std::string& case_id) override { return real_.lines_of_case(case_id); }
    std::optional<std::uint64_t> offset_of(std::uint64_t seq) override { return real_.offset_of(seq); }
    std::uint64_t lines() override { return real_.lines(); }
    std::uint64_t leaves_per_block() const override { return real_.leaves_per_block(); }
    std::vector<Hash> block_roots() override {
        auto roots = real_.block_roots();
        if (!roots.empty()) roots.front()[0] ^= 1;
        return roots;
    }

private:
    LogIndex& real_;
};

}  // namespace

TEST(EvidenceBundle, ByTheConsolesIndexTheBundleIsTheSameAndAMisleadingIndexIsNotBelieved) {
    const std::string dir = large_log();
    gateway::console::AuditIndex index(dir + "/console-index.sqlite");
    index.catch_up(dir + "/" + kEntriesFile);
    ASSERT_EQ(index.block_roots().size(), 2U);  // 3,000 entries: two whole blocks and a part
    MisleadingIndex misleading(index);
    for (const std::string case_id : {"case-0", "case-7", "case-19", "case-early"}) {
        const auto plain = export_bundle(dir, case_id, key().certificate(), {});
        const auto indexed = export_bundle(dir, case_id, key().certificate(), {}, &index);
        const auto misled = export_bundle(dir, case_id, key().certificate(), {}, &misleading);
        ASSERT_TRUE(plain && indexed && misled) << case_id;
        EXPECT_EQ(proved_part(indexed.value()), proved_part(plain.value())) << case_id;
        EXPECT_EQ(proved_part(misled.value()), proved_part(plain.value())) << case_id;
        const auto checked = check_bundle(indexed.value(), key().certificate());
        EXPECT_TRUE(checked.ok()) << case_id;
        EXPECT_EQ(checked.entries.size(), case_id == "case-early" ? 10U
                                          : case_id == "case-19"  ? 150U
                                                                  : 149U)
            << case_id;
    }

    // An entry of another block changed after the index read it: the whole log no longer has the
    // checkpoint's root, but the case's own entries are still those the checkpoint signed, and the
    // index's roots of the blocks it did not read prove them (the other entries are verify's to check).
    const std::string entries = dir + "/" + kEntriesFile;
    std::string text = text_of(entries);
    text[text.find("event 1501") + 6] = '9';
    std::ofstream(entries, std::ios::trunc) << text;
    EXPECT_EQ(export_bundle(dir, "case-early", key().certificate(), {}).error().code, "log_invalid");
    EXPECT_EQ(export_bundle(dir, "case-1", key().certificate(), {}, &index).error().code, "log_invalid");
    const auto indexed = export_bundle(dir, "case-early", key().certificate(), {}, &index);
    ASSERT_TRUE(indexed) << indexed.error().message;
    EXPECT_TRUE(check_bundle(indexed.value(), key().certificate()).ok());
    std::filesystem::remove_all(dir);
}

TEST(EvidenceBundle, HoldsOnlyTheCasesOwnEntriesEachProvedAgainstTheLatestCheckpoint) {
    const std::string dir = fresh_dir();
    {
        FileAuditLog log({dir, 7, 3600}, key());
        append_cases(log);
    }
    const auto bundle = export_bundle(dir, "case-1", key().certificate(), {});
    ASSERT_TRUE(bundle) << bundle.error().message;
    const auto report = check_bundle(bundle.value(), key().certificate());
    EXPECT_TRUE(report.ok()) << (report.problems.empty() ? "" : report.problems.front());
    ASSERT_EQ(report.entries.size(), 2U);
    EXPECT_NE(report.entries[0].find("entry 4 "), std::string::npos) << report.entries[0];
    EXPECT_NE(report.entries[1].find("entry 31 "), std::string::npos) << report.entries[1];

    const auto other = export_bundle(dir, "case-12", key().certificate(), {});
    ASSERT_TRUE(other);
    EXPECT_EQ(check_bundle(other.value(), key().certificate()).entries.size(), 40U);
    std::filesystem::remove_all(dir);
}

TEST(EvidenceBundle, AnUnknownCaseAndEntriesNoCheckpointCoversAreRefusedByName) {
    const std::string dir = fresh_dir();
    {
        FileAuditLog log({dir, 1000, 3600}, key());  // no checkpoint while it is open
        append_cases(log);
        const auto unsealed = export_bundle(dir, "case-1", key().certificate(), {});
        ASSERT_FALSE(unsealed);
        EXPECT_EQ(unsealed.error().code, "not_sealed");
        EXPECT_NE(unsealed.error().message.find("(31)"), std::string::npos) << unsealed.error().message;
    }
    EXPECT_TRUE(export_bundle(dir, "case-1", key().certificate(), {}));  // sealed when it closed
    for (const std::string unknown : {"case-2", "case", ""}) {
        const auto refused = export_bundle(dir, unknown, key().certificate(), {});
        ASSERT_FALSE(refused) << unknown;
        EXPECT_EQ(refused.error().code, "case_unknown") << unknown;
    }
    std::filesystem::remove_all(dir);
}

TEST(EvidenceBundle, ALogThatNoLongerMatchesItsCheckpointGivesNoBundle) {
    const std::string dir = fresh_dir();
    {
        FileAuditLog log({dir, 1000, 3600}, key());
        append_cases(log);
    }
    const std::string entries = dir + "/" + kEntriesFile;
    const std::string original = text_of(entries);

    std::string changed = original;  // another case's entry changed after it was sealed
    changed[changed.rfind("round 39") + 6] = '8';
    std::ofstream(entries, std::ios::trunc) << changed;
    auto refused = export_bundle(dir, "case-1", key().certificate(), {});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "log_invalid");

    // Cut after the case's last entry, so the case is still found, but shorter than its checkpoint.
    std::ofstream(entries, std::ios::trunc) << original.substr(0, original.find('\n', original.find("round 30")) + 1);
    refused = export_bundle(dir, "case-1", key().certificate(), {});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "log_invalid");
    std::filesystem::remove_all(dir);
}
