// Evidence bundles made from the log file by the CLI and the console: only the case's own entries,
// each proved against the latest checkpoint, and a clear refusal when the case is unknown, not yet
// sealed, or the log does not match its checkpoint. The whole round trip through the CLI and the
// offline checkers is in tests/integration/audit_test.cpp.
#include "audit/evidence_bundle.h"
#include "audit/audit_log.h"
#include "audit_test_key.h"

#include <Poco/JSON/Object.h>

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

}  // namespace

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
