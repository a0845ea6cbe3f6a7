// `vikno audit verify` on the cases tests/integration/audit_test.cpp does not make: a torn last
// entry (a crash, not tampering), an entry whose own link was changed, and a line that is no entry.
#include "audit/log_verifier.h"
#include "audit/audit_log.h"
#include "audit_test_key.h"

#include <Poco/JSON/Object.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

using namespace vikno;
using namespace vikno::gateway::audit;
using gateway::audit_testing::key;

namespace {

// A sealed log of 12 entries; its lines.
std::vector<std::string> sealed_log(const std::string& dir) {
    {
        FileAuditLog log({dir, 5, 3600}, key());
        for (int i = 0; i < 12; ++i) {
            Poco::JSON::Object::Ptr e = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
            e->set("kind", "test");
            e->set("n", i);
            log.append({e});
        }
    }
    std::ifstream in(dir + "/" + kEntriesFile);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

void write_lines(const std::string& path, const std::vector<std::string>& lines, const std::string& tail = {}) {
    std::ofstream out(path, std::ios::trunc);
    for (const auto& line : lines) out << line << '\n';
    out << tail;
}

std::string first_problem(const VerifyReport& report) {
    return report.problems.empty() ? "(none)" : report.problems.front();
}

}  // namespace

TEST(LogVerifier, ATornLastEntryIsACrashNotTampering) {
    const std::string dir = gateway::audit_testing::fresh_dir("vikno-verify-");
    const auto lines = sealed_log(dir);
    write_lines(dir + "/" + kEntriesFile, lines, R"({"seq":12,"prev":"ab)");
    const auto report = verify_log(dir, {key().certificate()});
    EXPECT_TRUE(report.ok()) << first_problem(report);
    EXPECT_EQ(report.entries, 12U);
    EXPECT_EQ(report.sealed, 12U);
    ASSERT_EQ(report.warnings.size(), 1U);
    EXPECT_NE(report.warnings.front().find("the last 20 bytes are an entry cut short"), std::string::npos)
        << report.warnings.front();
    std::filesystem::remove_all(dir);
}

TEST(LogVerifier, AnEntryWhoseOwnLinkWasChangedIsTheOneNamed) {
    const std::string dir = gateway::audit_testing::fresh_dir("vikno-verify-");
    auto lines = sealed_log(dir);
    const auto at = lines[7].find(R"("prev":")") + 8;
    lines[7][at] = lines[7][at] == 'a' ? 'b' : 'a';  // entry 7 now names another predecessor
    write_lines(dir + "/" + kEntriesFile, lines);
    const auto report = verify_log(dir, {key().certificate()});
    ASSERT_FALSE(report.ok());
    EXPECT_NE(first_problem(report).find("entry 7 was changed"), std::string::npos) << first_problem(report);
    std::filesystem::remove_all(dir);
}

TEST(LogVerifier, ALineThatIsNoEntryIsNamedAndTheChainAfterItIsNotBlamed) {
    const std::string dir = gateway::audit_testing::fresh_dir("vikno-verify-");
    auto lines = sealed_log(dir);
    lines[3] = "not an entry";
    write_lines(dir + "/" + kEntriesFile, lines);
    const auto report = verify_log(dir, {key().certificate()});
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(first_problem(report), "entry 3 is not a valid entry (its bytes were changed)");
    // Then the first checkpoint over it, not a second complaint about entry 4's link.
    ASSERT_EQ(report.problems.size(), 2U);
    EXPECT_NE(report.problems[1].find("the entries 0 to 4 do not have the root it signed"), std::string::npos)
        << report.problems[1];
    std::filesystem::remove_all(dir);
}
