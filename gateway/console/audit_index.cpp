#include "console/audit_index.h"

#include "audit/log_files.h"
#include "store/sqlite_statement.h"

#include <vikno/signing.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace vikno::gateway::console {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS lines (seq INTEGER PRIMARY KEY, offset INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS case_lines (case_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (case_id, seq))
  WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blocks (block INTEGER PRIMARY KEY, root BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS place (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  lines INTEGER NOT NULL, end_offset INTEGER NOT NULL, last_offset INTEGER NOT NULL, last_hash BLOB NOT NULL
);
)sql";

// Lines per transaction while a large log is read for the first time: the WAL stays small.
constexpr std::uint64_t kLinesPerCommit = 20000;

// The entry's own case id. entry_line() writes `seq`, `prev`, `kind` and `at` before it, and no
// entry nests another, so the first such member is the entry's; a case id is hex and dashes, never
// escaped. The pages check the case of every line they read, so a wrong guess only costs a read.
std::optional<std::string> case_of(std::string_view line) {
    static constexpr std::string_view kKey = "\"case_id\":\"";
    const auto at = line.find(kKey);
    if (at == std::string_view::npos) return std::nullopt;
    const auto start = at + kKey.size();
    const auto end = line.find('"', start);
    if (end == std::string_view::npos || end == start) return std::nullopt;
    return std::string(line.substr(start, end - start));
}

}  // namespace

AuditIndex::AuditIndex(std::string index_path) : path_(std::move(index_path)) {
    try {
        open();
    } catch (const sqlite::Error&) {
        // Not an index (a torn file, another program's): it is derived data, so make it again.
        statements_.reset();
        sqlite3_close(db_);
        db_ = nullptr;
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
        try {
            open();
        } catch (const sqlite::Error& e) {
            throw std::runtime_error("the console's audit index " + path_ + " cannot be made: " + e.what() +
                                     " (check that its folder is writable)");
        }
    }
}

AuditIndex::~AuditIndex() {
    statements_.reset();
    sqlite3_close(db_);
}

void AuditIndex::open() {
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path());
    const int fd = ::open(path_.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) throw sqlite::Error("cannot create " + path_ + ": " + std::strerror(errno));
    ::close(fd);
    if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        throw sqlite::Error(db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory");
    }
    sqlite::exec(db_, "PRAGMA journal_mode=WAL");
    // A crash loses at most the last lines read, which the next catch-up reads again.
    sqlite::exec(db_, "PRAGMA synchronous=NORMAL");
    sqlite::exec(db_, kSchema);
    statements_ = std::make_unique<sqlite::StatementCache>(db_);
    load_place();
    // An index made before it kept blocks has lines but no blocks: it is made again.
    sqlite::Statement blocks(*statements_, "SELECT COUNT(*) FROM blocks");
    if (blocks.step() && static_cast<std::uint64_t>(blocks.integer(0)) != lines_ / kLeavesPerBlock) start_over();
}

void AuditIndex::load_place() {
    sqlite::Statement place(*statements_, "SELECT lines, end_offset, last_offset, last_hash FROM place WHERE id = 1");
    if (!place.step()) {
        lines_ = end_ = last_offset_ = 0;
        last_hash_.clear();
        return;
    }
    lines_ = static_cast<std::uint64_t>(place.integer(0));
    end_ = static_cast<std::uint64_t>(place.integer(1));
    last_offset_ = static_cast<std::uint64_t>(place.integer(2));
    last_hash_ = place.text(3);
}

void AuditIndex::start_over() {
    sqlite::exec(db_, "DELETE FROM lines; DELETE FROM case_lines; DELETE FROM blocks; DELETE FROM place");
    lines_ = end_ = last_offset_ = 0;
    last_hash_.clear();
    block_ = audit::MerkleFrontier();
    block_start_ = 0;
}

void AuditIndex::resume_block(const std::string& entries_path) {
    const std::uint64_t start = lines_ - lines_ % kLeavesPerBlock;
    if (block_start_ == start && start + block_.size() == lines_) return;
    block_ = audit::MerkleFrontier();
    block_start_ = start;
    if (start == lines_) return;
    sqlite::Statement row(*statements_, "SELECT offset FROM lines WHERE seq = ?1");
    row.bind(1, static_cast<std::int64_t>(start));
    if (row.step()) {
        audit::for_each_line_from(entries_path, static_cast<std::uint64_t>(row.integer(0)), start,
                                  [&](std::uint64_t seq, std::uint64_t, std::string_view line) {
                                      if (seq >= lines_) return false;
                                      block_.append(audit::leaf_hash(line));
                                      return true;
                                  });
    }
    // An index that no longer agrees with the log (a line it lacks, a log shorter than it) is
    // derived data: it is made again rather than left failing at every page.
    if (start + block_.size() != lines_) start_over();
}

void AuditIndex::catch_up(const std::string& entries_path) {
    std::lock_guard lock(mutex_);
    std::error_code error;
    const std::uint64_t size = std::filesystem::file_size(entries_path, error);
    if (error) return;  // no log yet: nothing to index, and what was indexed may still come back
    if (lines_ > 0) {
        const auto last = size < end_ ? std::nullopt : audit::entry_line_at(entries_path, lines_ - 1, last_offset_);
        if (!last || crypto::sha256(*last) != last_hash_) start_over();
    }
    if (size <= end_) return;

    sqlite::exec(db_, "BEGIN IMMEDIATE");
    try {
        resume_block(entries_path);
        std::uint64_t in_transaction = 0;
        // Only the last line's hash is kept: it is read back once per commit, not hashed for every line.
        const auto save_place = [&] {
            if (lines_ == 0) return;  // only a torn first line so far
            const auto last = audit::entry_line_at(entries_path, lines_ - 1, last_offset_);
            if (!last) throw sqlite::Error("the log " + entries_path + " changed while it was being indexed");
            last_hash_ = crypto::sha256(*last);
            sqlite::Statement(*statements_,
                              "INSERT INTO place(id, lines, end_offset, last_offset, last_hash) VALUES (1, ?1, ?2, "
                              "?3, ?4) ON CONFLICT (id) DO UPDATE SET lines = excluded.lines, end_offset = "
                              "excluded.end_offset, last_offset = excluded.last_offset, last_hash = excluded.last_hash")
                .bind(1, static_cast<std::int64_t>(lines_))
                .bind(2, static_cast<std::int64_t>(end_))
                .bind(3, static_cast<std::int64_t>(last_offset_))
                .bind_blob(4, last_hash_)
                .run();
        };
        audit::for_each_line_from(
            entries_path, end_, lines_, [&](std::uint64_t seq, std::uint64_t offset, std::string_view line) {
                sqlite::Statement(*statements_, "INSERT INTO lines(seq, offset) VALUES (?1, ?2)")
                    .bind(1, static_cast<std::int64_t>(seq))
                    .bind(2, static_cast<std::int64_t>(offset))
                    .run();
                if (const auto case_id = case_of(line)) {
                    sqlite::Statement(*statements_, "INSERT INTO case_lines(case_id, seq) VALUES (?1, ?2)")
                        .bind(1, *case_id)
                        .bind(2, static_cast<std::int64_t>(seq))
                        .run();
                }
                block_.append(audit::leaf_hash(line));
                if (block_.size() == kLeavesPerBlock) {
                    const audit::Hash root = block_.root();
                    sqlite::Statement(*statements_, "INSERT INTO blocks(block, root) VALUES (?1, ?2)")
                        .bind(1, static_cast<std::int64_t>(seq / kLeavesPerBlock))
                        .bind_blob(2, std::string(root.begin(), root.end()))
                        .run();
                    block_ = audit::MerkleFrontier();
                    block_start_ = seq + 1;
                }
                lines_ = seq + 1;
                end_ = offset + line.size() + 1;
                last_offset_ = offset;
                if (++in_transaction == kLinesPerCommit) {
                    save_place();
                    sqlite::exec(db_, "COMMIT; BEGIN IMMEDIATE");
                    in_transaction = 0;
                }
                return true;
            });
        save_place();
        sqlite::exec(db_, "COMMIT");
    } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        load_place();  // what the rollback took back is read again next time
        block_start_ = UINT64_MAX;
        throw;
    }
}

std::optional<std::uint64_t> AuditIndex::offset_of(std::uint64_t seq) {
    std::lock_guard lock(mutex_);
    sqlite::Statement row(*statements_, "SELECT offset FROM lines WHERE seq = ?1");
    row.bind(1, static_cast<std::int64_t>(seq));
    if (!row.step()) return std::nullopt;
    return static_cast<std::uint64_t>(row.integer(0));
}

std::vector<AuditIndex::Place> AuditIndex::lines_of_case(const std::string& case_id) {
    std::lock_guard lock(mutex_);
    std::vector<Place> places;
    sqlite::Statement rows(
        *statements_,
        "SELECT c.seq, l.offset FROM case_lines c JOIN lines l ON l.seq = c.seq WHERE c.case_id = ?1 "
        "ORDER BY c.seq");
    rows.bind(1, case_id);
    while (rows.step()) {
        places.push_back({static_cast<std::uint64_t>(rows.integer(0)), static_cast<std::uint64_t>(rows.integer(1))});
    }
    return places;
}

std::vector<audit::Hash> AuditIndex::block_roots() {
    std::lock_guard lock(mutex_);
    std::vector<audit::Hash> roots;
    sqlite::Statement rows(*statements_, "SELECT block, root FROM blocks ORDER BY block");
    while (rows.step()) {
        const std::string root = rows.text(1);
        // Derived data: a gap or a damaged row ends the list, and the bundle reads lines instead.
        if (static_cast<std::uint64_t>(rows.integer(0)) != roots.size() || root.size() != 32) break;
        audit::Hash hash{};
        std::copy(root.begin(), root.end(), hash.begin());
        roots.push_back(hash);
    }
    return roots;
}

std::uint64_t AuditIndex::lines() {
    std::lock_guard lock(mutex_);
    return lines_;
}

}  // namespace vikno::gateway::console
