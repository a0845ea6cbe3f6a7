// The console's parts that need no browser: the supervisors' figures, the masking of wire
// messages and the index of the audit log (its config is in config_test.cpp).
// tests/console/console_test.py drives the whole console in chromium.

#include "audit/audit_log.h"
#include "audit/entry_reading.h"
#include "audit/log_files.h"
#include "console/audit_index.h"
#include "console/audit_snapshot.h"
#include "console/quality.h"
#include "console/wire_masking.h"

#include <gtest/gtest.h>

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace vikno::gateway;
using namespace vikno::gateway::console;

namespace {

CaseRow row(const std::string& office, const std::string& op, const std::string& service, const std::string& status,
            std::int64_t took_ms, const std::string& note = "") {
    static std::int64_t day_ms = 1764547200000;  // 2025-12-01T00:00:00Z
    return {"id", service, office, op, status, "", day_ms, day_ms + took_ms, note};
}

}  // namespace

TEST(Quality, PercentileIsNearestRank) {
    EXPECT_FALSE(percentile({}, 0.5));
    EXPECT_EQ(*percentile({7}, 0.9), 7);
    EXPECT_EQ(*percentile({1, 2, 3, 4}, 0.5), 2);
    EXPECT_EQ(*percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.9), 9);
    EXPECT_EQ(*percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 1.0), 10);
}

TEST(Quality, GroupsCountEndsTimesAndReasons) {
    const auto report = quality_report(
        {row("vn", "op-1", "drac.birth", "completed", 100), row("vn", "op-1", "drac.birth", "completed", 300),
         row("vn", "op-2", "drac.death", "rejected", 50, "not in the register"),
         row("kh", "op-3", "drac.birth", "failed", 900, "no answer after 8 tries"),
         row("kh", "op-3", "drac.birth", "queued", 0)},
        false);
    EXPECT_EQ(report.cases, 5);
    ASSERT_EQ(report.per_day.size(), 1U);
    EXPECT_EQ(report.per_day[0], (std::pair<std::string, std::int64_t>{"2025-12-01", 5}));
    ASSERT_EQ(report.offices.size(), 2U);
    const QualityGroup& vn = report.offices[0];  // the busiest first
    EXPECT_EQ(vn.key, "vn");
    EXPECT_EQ(vn.cases, 3);
    EXPECT_EQ(vn.completed, 2);
    EXPECT_EQ(vn.rejected, 1);
    EXPECT_EQ(vn.median_ms, 100);
    EXPECT_EQ(vn.p90_ms, 300);
    EXPECT_EQ(vn.reasons.at("not in the register"), 1);
    const QualityGroup& kh = report.offices[1];
    EXPECT_EQ(kh.in_progress, 1);  // not final: counted, but no time to result
    EXPECT_EQ(kh.median_ms, 900);
    ASSERT_EQ(report.operators.size(), 3U);
    EXPECT_EQ(report.operators[0].cases, 2);
    EXPECT_EQ(report.operators[2].key, "vn / op-2");
    ASSERT_EQ(report.services.size(), 2U);
    EXPECT_EQ(report.services[0].key, "drac.birth");
    EXPECT_EQ(report.services[0].cases, 4);
}

TEST(Quality, CsvQuotesFieldsAndDefusesFormulas) {
    const auto csv =
        quality_csv(quality_report({row("vn", "op", "svc", "failed", 5, "=HYPERLINK(\"x\") \"quoted\"")}, false));
    EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
              "group,key,cases,completed,rejected,failed,cancelled,in_progress,median_ms,p90_ms,reasons");
    EXPECT_NE(csv.find("office,\"vn\",1,0,0,1,0,0,5,5,\"'=HYPERLINK(\"\"x\"\") \"\"quoted\"\" (1)\""),
              std::string::npos);
    EXPECT_NE(csv.find("day,\"2025-12-01\",1,"), std::string::npos);
}

TEST(Quality, ReasonsAreScrubbedOfPersonalData) {
    const auto report =
        quality_report({row("vn", "op", "svc", "rejected", 5, "RNOKPP 3652504575 born 1994-06-21")}, false);
    EXPECT_EQ(report.offices[0].reasons.begin()->first, "RNOKPP 36******75 born ****-**-**");
}

TEST(Quality, ALongReasonIsCutBetweenCharacters) {
    std::string note;
    while (note.size() < 400) note += "відмова ";  // two bytes a letter: byte 160 may fall inside one
    const auto report = quality_report({row("vn", "op", "svc", "failed", 5, "x" + note)}, false);
    const std::string& reason = report.offices[0].reasons.begin()->first;
    ASSERT_TRUE(reason.ends_with("..."));
    EXPECT_LE(reason.size(), 163U);
    const std::string kept = reason.substr(0, reason.size() - 3);
    EXPECT_EQ(("x" + note).substr(0, kept.size()), kept);
    EXPECT_NE(static_cast<unsigned char>(kept.back()) & 0xC0U, 0xC0U);  // no lead byte left without its tail
}

TEST(WireMasking, XmlNamesNumbersAndDatesAreMaskedTheRestKept) {
    const std::string wire =
        "POST / HTTP/1.1\r\nContent-Type: text/xml\r\n\r\n"
        "<r xmlns=\"urn:x\"><Child><LastName>Коваленко</LastName><BirthDate>2024-03-01</BirthDate>"
        "<Rnokpp>3652504575</Rnokpp><BirthPlace>Вінниця</BirthPlace></Child><Note>ref 1234567890</Note>"
        "<Sex>F</Sex></r>";
    const std::string masked = masked_wire(wire);
    EXPECT_NE(masked.find("POST / HTTP/1.1"), std::string::npos);
    EXPECT_NE(masked.find("<LastName>К********</LastName>"), std::string::npos);
    EXPECT_NE(masked.find("<BirthDate>****-**-**</BirthDate>"), std::string::npos);
    EXPECT_NE(masked.find("<Rnokpp>36******75</Rnokpp>"), std::string::npos);
    EXPECT_NE(masked.find("<BirthPlace>В******</BirthPlace>"), std::string::npos);
    EXPECT_NE(masked.find("<Note>ref 12******90</Note>"), std::string::npos);  // scrubbed as free text
    EXPECT_NE(masked.find("<Sex>F</Sex>"), std::string::npos);
    EXPECT_EQ(masked.find("Коваленко"), std::string::npos);
}

TEST(WireMasking, JsonIsMaskedByKeyAtAnyDepth) {
    const std::string masked = masked_wire(
        "HTTP/1.1 200 OK\r\n\r\n"
        R"({"person": {"last_name": "Шевченко", "rnokpp": 3652504575, "birth_date": "1990-05-17"},
            "items": [{"first_name": "Тарас"}], "status": "found"})");
    EXPECT_EQ(masked.find("Шевченко"), std::string::npos);
    EXPECT_EQ(masked.find("Тарас"), std::string::npos);
    EXPECT_EQ(masked.find("3652504575"), std::string::npos);
    EXPECT_EQ(masked.find("1990-05-17"), std::string::npos);
    EXPECT_NE(masked.find("\"found\""), std::string::npos);
}

TEST(WireMasking, WhatIsNeitherXmlNorJsonIsScrubbed) {
    EXPECT_EQ(masked_wire("HTTP/1.1 502 Bad Gateway\r\n\r\nupstream 3652504575 down"),
              "HTTP/1.1 502 Bad Gateway\n\nupstream 36******75 down");
}

TEST(AuditReading, LinesAreReadWholeAcrossBlocksAndATornTailIsSkipped) {
    const std::string path = ::testing::TempDir() + "/entries-blocks.jsonl";
    const std::string long_line(3 << 20, 'x');  // longer than the reader's block
    {
        std::ofstream out(path, std::ios::binary);
        out << "first\n" << long_line << "\nthird\ntorn";
    }
    std::vector<std::string> seen;
    audit::for_each_line(path, [&](std::uint64_t seq, std::string_view line) {
        EXPECT_EQ(seq, seen.size());
        seen.emplace_back(line);
        return true;
    });
    ASSERT_EQ(seen.size(), 3U);
    EXPECT_EQ(seen[0], "first");
    EXPECT_EQ(seen[1], long_line);
    EXPECT_EQ(seen[2], "third");
    std::size_t visited = 0;
    audit::for_each_line(path, [&](std::uint64_t, std::string_view) { return ++visited < 2; });
    EXPECT_EQ(visited, 2U);  // stops when told
}

TEST(AuditReading, TheLastCompleteLineIsReadFromTheEndAndATornTailCanBeCut) {
    const std::string path = ::testing::TempDir() + "/entries-last-" + std::to_string(::getpid()) + ".jsonl";
    const auto write = [&](const std::string& text) {
        std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    };
    const std::string long_line(150 * 1024, 'c');  // longer than two of the reader's blocks
    write("a\n" + std::string(100 * 1024, 'b') + "\n" + long_line + "\ntorn");
    const auto size = std::filesystem::file_size(path);
    EXPECT_EQ(audit::last_complete_line(path, false), long_line);
    EXPECT_EQ(std::filesystem::file_size(path), size);  // left as it was
    EXPECT_EQ(audit::last_complete_line(path, true), long_line);
    EXPECT_EQ(std::filesystem::file_size(path), size - 4);  // the torn tail cut off

    write("only\n");
    EXPECT_EQ(audit::last_complete_line(path, true), "only");
    EXPECT_EQ(std::filesystem::file_size(path), 5U);
    write("a\n\n");
    EXPECT_EQ(audit::last_complete_line(path, false), "");  // an empty last line is a line
    write("torn only");
    EXPECT_EQ(audit::last_complete_line(path, true), std::nullopt);
    EXPECT_EQ(std::filesystem::file_size(path), 0U);
    EXPECT_EQ(audit::last_complete_line(path + ".missing", true), std::nullopt);
    std::filesystem::remove(path);
}

TEST(AuditReading, ALineWithoutTheWantedCaseIsNotParsed) {
    const audit::EntryFilter filter{"3f2a-77", "civil_registry", "", "", "", "", ""};
    EXPECT_TRUE(filter.may_match(R"({"case_id":"3f2a-77","registry":"civil_registry"})"));
    EXPECT_FALSE(filter.may_match(R"({"case_id":"9999","registry":"civil_registry"})"));
    EXPECT_FALSE(filter.may_match(R"({"case_id":"3f2a-77","registry":"igov"})"));
    const audit::EntryFilter escaped{"", "", "офіс \"1\"", "", "", "", ""};  // could be escaped in JSON: parsed
    EXPECT_TRUE(escaped.may_match(R"({"office":"\u043e"})"));
}

namespace {

// A line as the audit log writes it (entry_line), of case `case_id` or of none.
std::string log_line(std::uint64_t seq, const std::string& case_id) {
    Poco::JSON::Object::Ptr entry = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    entry->set("kind", case_id.empty() ? "console_full_view" : "case");
    entry->set("at", "2026-12-07T10:00:00.000Z");
    if (!case_id.empty()) entry->set("case_id", case_id);
    entry->set("note", std::string(seq * 37 % 300, 'n'));  // lines of different lengths
    return audit::entry_line(seq, audit::Hash{}, *entry);
}

void write_log(const std::string& path, const std::vector<std::string>& lines, const std::string& tail = "",
               bool append = false) {
    std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
    for (const auto& line : lines) out << line << "\n";
    out << tail;
}

}  // namespace

TEST(AuditIndex, PlacesEachLineAndEachCaseAndReadsOnlyWhatIsNew) {
    const std::string dir = ::testing::TempDir() + "/index-" + std::to_string(::getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string log = dir + "/entries.jsonl";
    std::vector<std::string> lines;
    for (std::uint64_t seq = 0; seq < 50; ++seq)
        lines.push_back(log_line(seq, seq % 5 == 0 ? "" : "case-" + std::to_string(seq % 3)));
    const std::string torn = log_line(50, "case-1");
    write_log(log, lines, torn.substr(0, 40));

    AuditIndex index(dir + "/index.sqlite");
    index.catch_up(log);
    EXPECT_EQ(index.lines(), 50U);  // the torn line is not a line yet
    for (std::uint64_t seq = 0; seq < 50; ++seq) {
        const auto offset = index.offset_of(seq);
        ASSERT_TRUE(offset) << seq;
        EXPECT_EQ(audit::entry_line_at(log, seq, *offset), lines[seq]);
    }
    EXPECT_FALSE(index.offset_of(50));
    std::vector<std::uint64_t> expected;
    for (std::uint64_t seq = 0; seq < 50; ++seq) {
        if (seq % 5 != 0 && seq % 3 == 1) expected.push_back(seq);
    }
    std::vector<std::uint64_t> found;
    for (const auto& place : index.lines_of_case("case-1")) found.push_back(place.seq);
    EXPECT_EQ(found, expected);
    EXPECT_TRUE(index.lines_of_case("case-9").empty());

    // The torn line finished and more written: only they are read, and the rest is where it was.
    write_log(log, {torn.substr(40), log_line(51, "case-1")}, "", true);
    index.catch_up(log);
    EXPECT_EQ(index.lines(), 52U);
    ASSERT_TRUE(index.offset_of(50));
    EXPECT_EQ(audit::entry_line_at(log, 50, *index.offset_of(50)), torn);
    const auto places = index.lines_of_case("case-1");
    ASSERT_GE(places.size(), 2U);
    EXPECT_EQ(places[places.size() - 2].seq, 50U);
    EXPECT_EQ(places.back().seq, 51U);

    // Reopened, it goes on from where it was.
    {
        AuditIndex again(dir + "/index.sqlite");
        EXPECT_EQ(again.lines(), 52U);
        EXPECT_EQ(again.lines_of_case("case-1"), places);
    }
    std::filesystem::remove_all(dir);
}

TEST(AuditIndex, ALogItDoesNotDescribeIsIndexedAfresh) {
    const std::string dir = ::testing::TempDir() + "/index-fresh-" + std::to_string(::getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string log = dir + "/entries.jsonl";
    std::vector<std::string> first;
    for (std::uint64_t seq = 0; seq < 20; ++seq) first.push_back(log_line(seq, "old"));
    write_log(log, first);
    AuditIndex index(dir + "/index.sqlite");
    index.catch_up(log);
    ASSERT_EQ(index.lines_of_case("old").size(), 20U);

    // Another log in its place, longer, whose line 19 is another line: read from its start.
    std::vector<std::string> second;
    for (std::uint64_t seq = 0; seq < 30; ++seq) second.push_back(log_line(seq, "new"));
    write_log(log, second);
    index.catch_up(log);
    EXPECT_TRUE(index.lines_of_case("old").empty());
    EXPECT_EQ(index.lines_of_case("new").size(), 30U);

    // A shorter one: the same.
    write_log(log, {log_line(0, "short")});
    index.catch_up(log);
    EXPECT_EQ(index.lines(), 1U);
    EXPECT_EQ(index.lines_of_case("short").size(), 1U);
    std::filesystem::remove_all(dir);
}

TEST(AuditIndex, AFileThatIsNotAnIndexIsMadeAgain) {
    const std::string dir = ::testing::TempDir() + "/index-bad-" + std::to_string(::getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    write_log(dir + "/index.sqlite", {std::string(5000, 'x')});
    write_log(dir + "/entries.jsonl", {log_line(0, "a"), log_line(1, "a")});
    AuditIndex index(dir + "/index.sqlite");
    index.catch_up(dir + "/entries.jsonl");
    EXPECT_EQ(index.lines_of_case("a").size(), 2U);
    EXPECT_EQ(std::filesystem::status(dir + "/index.sqlite").permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    std::filesystem::remove_all(dir);
}

// An index that cannot be written (here another connection holds its write lock; a full disk does
// the same) does not make the pages show less: they read the log instead until it can be written.
TEST(AuditIndex, PagesReadTheLogWhileTheIndexCannotBeWritten) {
    const std::string dir = ::testing::TempDir() + "/index-locked-" + std::to_string(::getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::vector<std::string> lines;
    for (std::uint64_t seq = 0; seq < 10; ++seq) lines.push_back(log_line(seq, seq % 2 == 0 ? "even" : "odd"));
    write_log(dir + "/entries.jsonl", lines);
    Config config;
    config.audit.dir = dir;
    AuditSnapshot snapshot(config, {});

    sqlite3* holder = nullptr;
    ASSERT_EQ(sqlite3_open((dir + "/console-index.sqlite").c_str(), &holder), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    const auto read = [&] {
        const auto view = snapshot.view();
        std::vector<std::uint64_t> odd;
        view.for_each_line_of_case("odd", [&](std::uint64_t seq, std::string_view line) {
            if (audit::entry_field(audit::parse_entry(std::string(line)), "case_id") == "odd") odd.push_back(seq);
        });
        EXPECT_EQ(view.line(7), lines[7]);
        EXPECT_FALSE(view.line(10));
        return odd;
    };
    const std::vector<std::uint64_t> expected{1, 3, 5, 7, 9};
    EXPECT_EQ(read(), expected);  // by reading the log
    sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(holder);
    EXPECT_EQ(read(), expected);  // by the index
    std::filesystem::remove_all(dir);
}

TEST(AuditIndex, KeepsTheRootOfEachCompleteBlockOfLinesAcrossARestart) {
    const std::string dir = ::testing::TempDir() + "/index-blocks-" + std::to_string(::getpid());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string log = dir + "/entries.jsonl";
    constexpr std::uint64_t kBlock = AuditIndex::kLeavesPerBlock;
    std::vector<std::string> lines;
    for (std::uint64_t seq = 0; seq < 2 * kBlock + 500; ++seq)
        lines.push_back(log_line(seq, "case-" + std::to_string(seq % 7)));
    const auto block_root = [&](std::uint64_t block) {
        audit::MerkleFrontier leaves;
        for (std::uint64_t seq = block * kBlock; seq < (block + 1) * kBlock; ++seq)
            leaves.append(audit::leaf_hash(lines[seq]));
        return leaves.root();
    };
    write_log(log, {lines.begin(), lines.begin() + kBlock + 300});
    {
        AuditIndex index(dir + "/index.sqlite");
        index.catch_up(log);
        ASSERT_EQ(index.block_roots(), std::vector<audit::Hash>{block_root(0)});
    }
    // Reopened, it reads the 300 leaves of the unfinished block again before it goes on.
    write_log(log, {lines.begin() + kBlock + 300, lines.end()}, "", true);
    {
        AuditIndex index(dir + "/index.sqlite");
        index.catch_up(log);
        EXPECT_EQ(index.block_roots(), (std::vector<audit::Hash>{block_root(0), block_root(1)}));
    }
    // An index that lost the line its unfinished block starts at is made again, not left failing.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir + "/index.sqlite").c_str(), &db), SQLITE_OK);
    sqlite3_exec(db, ("DELETE FROM lines WHERE seq = " + std::to_string(2 * kBlock)).c_str(), nullptr, nullptr,
                 nullptr);
    sqlite3_close(db);
    lines.push_back(log_line(lines.size(), "case-0"));
    write_log(log, {lines.back()}, "", true);
    AuditIndex index(dir + "/index.sqlite");
    index.catch_up(log);
    EXPECT_EQ(index.lines(), lines.size());
    EXPECT_EQ(index.block_roots(), (std::vector<audit::Hash>{block_root(0), block_root(1)}));
    EXPECT_TRUE(index.offset_of(2 * kBlock));
    std::filesystem::remove_all(dir);
}
