// The audit log's writer: group commit from many threads, recovery after a torn write, refusal of
// a log cut shorter than its signed checkpoint, a batch refused for lack of space, file permissions.
#include "audit/audit_log.h"
#include "audit/entry_reading.h"
#include "audit/log_verifier.h"
#include "audit_test_key.h"
#include "common/storage_full.h"

#include <Poco/File.h>
#include <Poco/JSON/Object.h>
#include <Poco/UUIDGenerator.h>

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <csignal>
#include <fstream>
#include <set>
#include <thread>

using namespace vikno;
using namespace vikno::gateway::audit;

namespace {

using gateway::audit_testing::key;

std::string fresh_dir() { return gateway::audit_testing::fresh_dir("vikno-audit-"); }

Poco::JSON::Object::Ptr entry(int n) {
    Poco::JSON::Object::Ptr e = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    e->set("kind", "test");
    e->set("n", n);
    return e;
}

VerifyReport verify(const std::string& dir) { return verify_log(dir, {key().certificate()}); }

int mode_of(const std::string& path) {
    struct stat st {};
    ::stat(path.c_str(), &st);
    return static_cast<int>(st.st_mode & 0777);
}

}  // namespace

TEST(AuditLog, ConcurrentAppendsAreAllDurableAndTheLogVerifies) {
    const std::string dir = fresh_dir();
    {
        FileAuditLog log({dir, 100, 60}, key());
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&log, t] {
                for (int i = 0; i < 50; ++i) log.append({entry(t * 1000 + i), entry(t * 1000 + i + 500)});
            });
        }
        for (auto& thread : threads) thread.join();
        EXPECT_EQ(log.size(), 800U);
    }
    const auto report = verify(dir);
    EXPECT_TRUE(report.ok()) << (report.ok() ? "" : report.problems.front());
    EXPECT_EQ(report.entries, 800U);
    EXPECT_EQ(report.sealed, 800U);     // the shutdown checkpoint seals everything
    EXPECT_GE(report.checkpoints, 8U);  // and one every 100 entries on the way
    EXPECT_EQ(mode_of(dir + "/entries.jsonl"), 0600);
    EXPECT_EQ(mode_of(dir + "/checkpoints.jsonl"), 0600);
    EXPECT_EQ(mode_of(dir), 0700);
    Poco::File(dir).remove(true);
}

TEST(AuditLog, ATornLastEntryIsDroppedAndTheRestContinues) {
    const std::string dir = fresh_dir();
    {
        FileAuditLog log({dir, 1000, 60}, key());
        log.append({entry(1), entry(2)});
    }
    std::ofstream(dir + "/entries.jsonl", std::ios::app) << R"({"seq":2,"prev":"00)";  // a crash mid-write
    EXPECT_FALSE(verify(dir).warnings.empty());
    {
        FileAuditLog log({dir, 1000, 60}, key());
        EXPECT_EQ(log.size(), 2U);
        log.append({entry(3)});
    }
    const auto report = verify(dir);
    EXPECT_TRUE(report.ok()) << (report.ok() ? "" : report.problems.front());
    EXPECT_EQ(report.entries, 3U);
    Poco::File(dir).remove(true);
}

TEST(AuditLog, ALogShorterThanItsCheckpointRefusesToStart) {
    const std::string dir = fresh_dir();
    {
        FileAuditLog log({dir, 1000, 60}, key());
        log.append({entry(1), entry(2), entry(3)});
    }
    std::ofstream(dir + "/entries.jsonl", std::ios::trunc) << "";
    try {
        FileAuditLog log({dir, 1000, 60}, key());
        FAIL() << "a truncated log was accepted";
    } catch (const AuditError& e) {
        EXPECT_NE(std::string(e.what()).find("no longer match the last signed checkpoint"), std::string::npos)
            << e.what();
    }
    Poco::File(dir).remove(true);
}

namespace {

std::string file_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// A log with two checkpoints, as `{entries, checkpoints}` text.
std::pair<std::string, std::string> sample_log() {
    const std::string dir = fresh_dir();
    {
        FileAuditLog log({dir, 3, 60}, key());
        log.append({entry(1), entry(2), entry(3)});
        log.append({entry(4), entry(5)});
    }
    auto texts = std::make_pair(file_text(dir + "/entries.jsonl"), file_text(dir + "/checkpoints.jsonl"));
    Poco::File(dir).remove(true);
    return texts;
}

// Starts the log over `entries` and `checkpoints`: it must start, keep a copy of the torn bytes, and verify.
void expect_recovers(const std::string& entries, const std::string& checkpoints, const std::string& torn,
                     const std::string& what) {
    const std::string dir = fresh_dir();
    Poco::File(dir).createDirectories();
    write_file(dir + "/entries.jsonl", entries);
    write_file(dir + "/checkpoints.jsonl", checkpoints);
    EXPECT_TRUE(verify(dir).ok()) << what << ": 'vikno audit verify' must accept a torn tail (with a warning)";
    EXPECT_FALSE(verify(dir).warnings.empty()) << what;
    try {
        FileAuditLog log({dir, 3, 60}, key());
        log.append({entry(6)});
    } catch (const AuditError& e) {
        ADD_FAILURE() << what << ": refused to start: " << e.what();
    }
    const auto report = verify(dir);
    EXPECT_TRUE(report.ok()) << what << ": " << (report.ok() ? "" : report.problems.front());
    EXPECT_TRUE(report.warnings.empty()) << what;
    bool copied = false;
    std::vector<std::string> names;
    Poco::File(dir).list(names);
    for (const auto& name : names) {
        copied |= name.find(".torn-") != std::string::npos && file_text(dir + "/" + name) == torn;
    }
    EXPECT_TRUE(copied) << what << ": no copy of the torn bytes";
    Poco::File(dir).remove(true);
}

}  // namespace

// A write cut by a crash or a full disk, at every byte of the last line of either file: the gateway
// starts (dropping the tail, keeping a copy) and the log verifies; only real inconsistency is tamper.
TEST(AuditLog, EitherFileTornAtEveryByteOfItsLastLineRecovers) {
    const auto [entries, checkpoints] = sample_log();
    const std::string next_entry = entries.substr(entries.rfind('\n', entries.size() - 2) + 1);  // a whole line
    for (std::size_t k = 1; k < next_entry.size(); ++k) {
        const std::string torn = next_entry.substr(0, k);
        expect_recovers(entries + torn, checkpoints, torn, "entries torn at byte " + std::to_string(k));
    }
    const std::size_t last_start = checkpoints.rfind('\n', checkpoints.size() - 2) + 1;
    const std::string last_line = checkpoints.substr(last_start);  // with its newline
    for (std::size_t k = 1; k < last_line.size(); ++k) {
        const std::string torn = last_line.substr(0, k);
        expect_recovers(entries, checkpoints.substr(0, last_start) + torn, torn,
                        "checkpoints torn at byte " + std::to_string(k));
    }
}

namespace {

// Lets this process write files up to `bytes` long (RLIMIT_FSIZE: a longer write fails with
// EFBIG, as a full disk fails one with ENOSPC); restores the old limit when destroyed.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes) {
        ::getrlimit(RLIMIT_FSIZE, &old_);
        ::signal(SIGXFSZ, SIG_IGN);  // the write fails instead of the process being killed
        rlimit limit = old_;
        limit.rlim_cur = bytes;
        ::setrlimit(RLIMIT_FSIZE, &limit);
    }
    ~FileSizeLimit() { ::setrlimit(RLIMIT_FSIZE, &old_); }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;

private:
    rlimit old_{};
};

std::uintmax_t size_of(const std::string& path) { return Poco::File(path).getSize(); }

}  // namespace

TEST(AuditLog, ABatchTheDiskRefusesLeavesNoTraceAndTheSameAppendSucceedsOnceThereIsRoom) {
    const std::string dir = fresh_dir();
    const std::string entries = dir + "/entries.jsonl";
    {
        FileAuditLog log({dir, 1000, 60}, key());
        log.append({entry(1), entry(2)});
        const auto before = size_of(entries);
        Poco::JSON::Object::Ptr big = entry(3);
        big->set("wire", std::string(64 * 1024, 'x'));
        {
            const FileSizeLimit full(before + 1000);  // room for part of the entry only
            EXPECT_THROW(log.append({big, entry(4)}), gateway::StorageFull);
            EXPECT_EQ(size_of(entries), before);  // the part written is cut off again
            EXPECT_EQ(log.size(), 2U);
            EXPECT_THROW(log.append({big}), gateway::StorageFull);  // not sticky: tried again each time
        }
        EXPECT_EQ(log.append({big, entry(4)}).front().seq, 2U);  // room again: the same entries, the next seq
        EXPECT_EQ(log.size(), 4U);
    }
    const auto report = verify(dir);
    EXPECT_TRUE(report.ok()) << (report.ok() ? "" : report.problems.front());
    EXPECT_TRUE(report.warnings.empty()) << report.warnings.front();
    EXPECT_EQ(report.entries, 4U);
    EXPECT_EQ(report.sealed, 4U);
    Poco::File(dir).remove(true);
}

// The store keeps a reference to an exchange's entry instead of its bytes: append() must say where
// each entry went, from concurrent appends sharing one write and after a restart, and entry_text()
// must give back exactly that line, and nothing for a reference that does not name one.
TEST(AuditLog, AppendSaysWhereEachEntryIsAndEntryTextReadsItBack) {
    const std::string dir = fresh_dir();
    std::vector<std::vector<gateway::AuditEntryRef>> refs(4);
    {
        FileAuditLog log({dir, 1000, 60}, key());
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 25; ++i) {
                    for (const auto& ref : log.append({entry(t * 100 + i), entry(t * 100 + i + 50)})) {
                        refs[t].push_back(ref);
                    }
                }
            });
        }
        for (auto& thread : threads) thread.join();
    }
    FileAuditLog log({dir, 1000, 60}, key());  // reopened: the same refs, and new ones after them
    const auto later = log.append({entry(999)});
    ASSERT_EQ(later.size(), 1U);
    EXPECT_EQ(later.front().seq, 200U);
    refs[0].push_back(later.front());

    std::set<std::uint64_t> seqs;
    for (int t = 0; t < 4; ++t) {
        ASSERT_EQ(refs[t].size(), t == 0 ? 51U : 50U);
        for (std::size_t i = 0; i < refs[t].size(); ++i) {
            const auto& ref = refs[t][i];
            EXPECT_TRUE(ref.digest.empty());
            seqs.insert(ref.seq);
            const auto text = log.entry_text(ref);
            ASSERT_TRUE(text) << "seq " << ref.seq;
            const auto line = parse_entry(*text);
            EXPECT_EQ(line->getValue<std::uint64_t>("seq"), ref.seq);
            const int n = i + 1 == refs[t].size() && t == 0 ? 999 : t * 100 + int(i / 2) + (i % 2 == 0 ? 0 : 50);
            EXPECT_EQ(line->getValue<int>("n"), n) << "seq " << ref.seq;
            EXPECT_EQ(log.entry_seq(ref), ref.seq);
        }
    }
    EXPECT_EQ(seqs.size(), 201U);
    const auto& some = refs[1][7];
    EXPECT_FALSE(log.entry_text({some.seq + 1, some.offset, {}}));  // another line's offset
    EXPECT_FALSE(log.entry_text({some.seq, some.offset + 1, {}}));  // not where a line starts
    EXPECT_FALSE(log.entry_text({some.seq, 1U << 30, {}}));         // past the end
    EXPECT_FALSE(log.entry_seq({201, 0, {}}));                      // beyond the log
    EXPECT_FALSE(log.entry_seq({0, 0, std::string(64, '0')}));      // a PostgreSQL log's reference
    Poco::File(dir).remove(true);
}
