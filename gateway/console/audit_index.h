#pragma once
// Where each line of entries.jsonl starts and which case it belongs to, kept in a SQLite file of the
// console's own, so that a case's page and an entry's page read only their own lines, however large
// the log (reading the whole log for each page took seconds with a million cases). It is derived
// data: it describes the file by the place and hash of the last line it read, starts over when the
// file no longer has that line (another log, or one replaced), and may be deleted at any time.
//
// It says where to look, never what is there: the pages read each line from the log and check its
// number and its case, so an index out of step shows less, never another entry. It also keeps the
// Merkle root of each complete block of kLeavesPerBlock lines, so that an evidence bundle reads a
// few blocks instead of the whole log; the bundle checks its proofs against the signed checkpoint,
// so a wrong root only makes it read the whole log.

#include "audit/evidence_bundle.h"
#include "audit/streamed_proofs.h"

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace vikno::gateway::sqlite {
class StatementCache;
}

namespace vikno::gateway::console {

class AuditIndex final : public audit::LogIndex {
public:
    /// Opens `index_path` (0600), or creates it; a file that is not an index is replaced. Throws
    /// std::runtime_error naming the path when it can be neither opened nor created.
    explicit AuditIndex(std::string index_path);
    ~AuditIndex() override;
    AuditIndex(const AuditIndex&) = delete;
    AuditIndex& operator=(const AuditIndex&) = delete;

    using Place = audit::LinePlace;
    /// Leaves in a block of the log's tree whose root the index keeps, so that an evidence bundle
    /// hashes at most two blocks of entries per proof instead of the whole log.
    static constexpr std::uint64_t kLeavesPerBlock = 1024;

    /// Brings the index to the last complete line of `entries_path`, reading only what it has not
    /// read before (all of it when the file is not the one it describes).
    void catch_up(const std::string& entries_path);
    /// Where line `seq` starts; nullopt when the index has not seen it.
    std::optional<std::uint64_t> offset_of(std::uint64_t seq) override;
    /// The lines that name `case_id`, oldest first.
    std::vector<Place> lines_of_case(const std::string& case_id) override;
    /// Lines indexed so far.
    std::uint64_t lines() override;
    std::uint64_t leaves_per_block() const override { return kLeavesPerBlock; }
    /// The root of each complete block of kLeavesPerBlock lines indexed, from line 0 on.
    std::vector<audit::Hash> block_roots() override;

private:
    void open();
    /// Where the index stands, as last committed.
    void load_place();
    void start_over();
    /// The leaves of the block being filled, read again from the log after a restart or a rollback.
    void resume_block(const std::string& entries_path);

    std::string path_;
    std::mutex mutex_;
    sqlite3* db_ = nullptr;
    std::unique_ptr<sqlite::StatementCache> statements_;
    // Where the index stands: the lines read, the byte after the last one, and that line's place
    // and hash (checked before reading on, so that a replaced file is read afresh).
    std::uint64_t lines_ = 0;
    std::uint64_t end_ = 0;
    std::uint64_t last_offset_ = 0;
    std::string last_hash_;
    // The leaves of the incomplete block at the end, from line block_start_ (lines_ rounded down
    // to a block) on; block_start_ is UINT64_MAX when they have to be read again.
    audit::MerkleFrontier block_;
    std::uint64_t block_start_ = UINT64_MAX;
};

}  // namespace vikno::gateway::console
