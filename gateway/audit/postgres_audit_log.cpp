#include "audit/postgres_audit_log.h"

#include "audit/log_files.h"
#include "audit/postgres_audit_queue.h"
#include "common/clock.h"
#include "logging/log_throttle.h"

#include <vikno/case_json.h>

#include <Poco/File.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cstring>
#include <fstream>

namespace vikno::gateway::audit {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS audit_queue (
  id     BIGSERIAL PRIMARY KEY,
  entry  TEXT NOT NULL,
  digest TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS audit_entries (
  seq    BIGINT PRIMARY KEY,
  line   TEXT NOT NULL,
  digest TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS audit_checkpoints (
  tree_size BIGINT PRIMARY KEY,
  line      TEXT NOT NULL
);
)sql";

// The sequencer's lease: an advisory lock (per database) whose key names the schema, so that one
// deployment's sequencer does not hold back another's in the same database.
constexpr const char* kTakeSequencerLock =
    "SELECT pg_try_advisory_lock(hashtext(current_schema() || ':vikno-audit-sequencer'))";
constexpr int kBatch = 1000;  // entries integrated per transaction

Poco::JSON::Object::Ptr parse_ordered(const std::string& text) {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));  // members in the order written
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

// A file of the pulled copy (0600), written a batch at a time so that memory does not grow with the log.
class PulledFile {
public:
    PulledFile(std::string path, bool from_empty) : path_(std::move(path)) {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (from_empty ? O_TRUNC : 0), 0600);
        if (fd_ < 0) throw AuditError(path_ + ": cannot be written: " + std::strerror(errno));
    }
    ~PulledFile() { ::close(fd_); }
    PulledFile(const PulledFile&) = delete;
    PulledFile& operator=(const PulledFile&) = delete;

    void append(const std::string& text) {
        std::size_t done = 0;
        while (done < text.size()) {
            const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw AuditError(path_ + ": write failed: " + std::strerror(errno));
            done += static_cast<std::size_t>(n);
        }
    }
    void sync() { ::fsync(fd_); }

private:
    std::string path_;
    int fd_ = -1;
};

}  // namespace

void PostgresAuditLog::create_schema(pg::Connection& db) {
    pg::lock_schema(db);  // one creator
    if (db.exec("SELECT to_regclass('audit_checkpoints')").is_null(0, 0)) db.exec_script(kSchema);
    pg::compress_with_lz4(db, "audit_queue", {"entry"});
    pg::compress_with_lz4(db, "audit_entries", {"line"});
}

PostgresAuditLog::PostgresAuditLog(PostgresAuditOptions options, const crypto::Signer& signer)
    : options_(std::move(options)), signer_(signer), pool_(options_.conninfo, 4) {
    {
        auto db = pool_.take();
        pg::Transaction tx(*db);
        create_schema(*db);
        tx.commit();
    }
    sequencer_ = std::thread([this] { run(); });
}

PostgresAuditLog::~PostgresAuditLog() {
    stopping_ = true;
    wake_.notify_all();
    if (sequencer_.joinable()) sequencer_.join();
}

std::vector<AuditEntryRef> PostgresAuditLog::append(const std::vector<Poco::JSON::Object::Ptr>& entries) {
    if (entries.empty()) return {};
    // An append made again after a lost connection (its COMMIT may have gone through) must not log an
    // entry twice: each is known by its digest, queued or already in the log.
    const AuditRows rows = *rows_for_store(entries, entries.size());
    // One statement, one round trip, whatever the number of entries; ids in the entries' order.
    auto db = pool_.take();
    static const std::string sql = audit_queue_insert("$1::text[], $2::text[]", "entry, digest");
    db->exec(sql.c_str(), pg::Params()
                              .binary_text_array(rows.texts)
                              .binary_text_array(rows.digests));  // synchronous_commit on: durable when it returns
    wake_.notify_one();
    std::vector<AuditEntryRef> refs;
    for (const auto& digest : rows.digests) refs.push_back({0, 0, digest});
    return refs;
}

std::optional<std::string> PostgresAuditLog::entry_text(const AuditEntryRef& ref) {
    auto db = pool_.take();
    // The sequencer moves an entry from the queue to the log in one transaction: it is in one of them.
    const auto found = db->exec(
        "SELECT line FROM audit_entries WHERE digest = $1 UNION ALL SELECT entry FROM audit_queue WHERE digest = $1 "
        "LIMIT 1",
        pg::Params().text(ref.digest));
    if (found.empty()) return std::nullopt;
    return found.text(0, 0);
}

std::optional<std::uint64_t> PostgresAuditLog::entry_seq(const AuditEntryRef& ref) {
    if (ref.digest.empty()) return std::nullopt;  // a file log's reference
    auto db = pool_.take();
    const auto found = db->exec("SELECT seq FROM audit_entries WHERE digest = $1", pg::Params().text(ref.digest));
    if (found.empty()) return std::nullopt;
    return static_cast<std::uint64_t>(found.integer(0, 0));
}

std::optional<AuditRows> PostgresAuditLog::rows_for_store(const std::vector<Poco::JSON::Object::Ptr>& entries,
                                                          std::size_t evidence) {
    AuditRows rows;
    rows.evidence = evidence;
    for (const auto& entry : entries) {
        rows.texts.push_back(to_json_text(entry));
        rows.digests.push_back(crypto::sha256_hex(rows.texts.back()));
    }
    return rows;
}

std::uint64_t PostgresAuditLog::size() {
    auto db = pool_.take();
    return static_cast<std::uint64_t>(
        db->exec("SELECT (SELECT COUNT(*) FROM audit_entries) + (SELECT COUNT(*) FROM audit_queue)").integer(0, 0));
}

void PostgresAuditLog::run() {
    while (!stopping_) {
        try {
            // The lock belongs to this session: it is let go when the session ends, however it ends.
            pg::Connection session(options_.conninfo);
            while (!stopping_) {
                if (!sequencing_) {
                    const auto taken = session.exec(kTakeSequencerLock);
                    if (taken.text(0, 0) == "t") {
                        load(session);
                        // As a single gateway's log does at start: seal what the last sequencer left
                        // unsealed (or the empty log), so that every stretch has a signed end.
                        if (!has_checkpoint_ || tree_.size() > sealed_size_) seal(session);
                        sequencing_ = true;
                        spdlog::info("audit: this instance sequences the shared log ({} entries, {} sealed)",
                                     tree_.size(), sealed_size_);
                    }
                }
                bool more = false;
                if (sequencing_) {
                    more = integrate(session);
                    const bool many = tree_.size() - sealed_size_ >= options_.checkpoint_entries;
                    const bool old =
                        first_unsealed_ms_ != 0 &&
                        now_ms() - first_unsealed_ms_ >= static_cast<std::int64_t>(options_.checkpoint_seconds) * 1000;
                    if (tree_.size() > sealed_size_ && (many || old)) seal(session);
                }
                if (!more) {
                    std::unique_lock lock(mutex_);
                    wake_.wait_for(lock, std::chrono::milliseconds(sequencing_ ? 50 : 500),
                                   [this] { return stopping_.load(); });
                }
            }
            if (sequencing_) {
                while (integrate(session)) {}
                if (tree_.size() > sealed_size_) seal(session);
            }
            sequencing_ = false;
            return;  // the session closes: the lock is free
        } catch (const std::exception& e) {
            log_error_throttled(log_throttle_, "sequencer",
                                std::string(sequencing_ ? "audit: sequencing stopped: " : "audit: cannot sequence: ") +
                                    e.what() + "; another instance may take over");
            sequencing_ = false;
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_.load(); });
        }
    }
}

void PostgresAuditLog::load(pg::Connection& session) {
    tree_ = MerkleTree();
    last_leaf_ = Hash{};
    const auto last = session.exec("SELECT line FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1");
    has_checkpoint_ = !last.empty();
    sealed_size_ = 0;
    std::optional<Checkpoint> checkpoint;
    if (has_checkpoint_) {
        checkpoint = parse_checkpoint(last.text(0, 0));
        if (checkpoint) sealed_size_ = checkpoint->tree_size;
    }
    // The leaves computed where the lines are (RFC 9162: SHA-256 of 0x00 and the line), so that a
    // takeover reads 32 bytes per entry, not the wire messages; a page at a time, and the tree
    // forgets as it reads what will not be asked again (before the checkpoint), so that a takeover's
    // memory does not grow with the log.
    constexpr int kPage = 1 << 16;
    while (true) {
        const auto leaves = session.exec(
            "SELECT seq, sha256('\\x00'::bytea || convert_to(line, 'UTF8')) FROM audit_entries WHERE seq >= $1 "
            "ORDER BY seq LIMIT $2",
            pg::Params().integer(static_cast<std::int64_t>(tree_.size())).integer(kPage));
        for (int i = 0; i < leaves.rows(); ++i) {
            const auto expected = static_cast<std::int64_t>(tree_.size());
            if (leaves.integer(i, 0) != expected) {
                throw AuditError("audit_entries has no entry " + std::to_string(expected) +
                                 " (the log has been changed: run 'vikno audit pull' and 'vikno audit verify')");
            }
            const std::string bytes = leaves.bytes(i, 1);
            Hash leaf{};
            std::memcpy(leaf.data(), bytes.data(), std::min(bytes.size(), leaf.size()));
            tree_.append(leaf);
            last_leaf_ = leaf;
        }
        tree_.forget_before(sealed_size_);
        if (leaves.rows() < kPage) break;
    }
    if (has_checkpoint_ && (!checkpoint || checkpoint->tree_size > tree_.size() ||
                            tree_.root(checkpoint->tree_size) != checkpoint->root)) {
        throw AuditError(
            "the shared log's entries do not match its last signed checkpoint; the log has been "
            "changed: run 'vikno audit pull' and 'vikno audit verify', and keep the database for "
            "investigation");
    }
    first_unsealed_ms_ = tree_.size() > sealed_size_ ? now_ms() : 0;
}

bool PostgresAuditLog::integrate(pg::Connection& session) {
    pg::Transaction tx(session);
    const auto queued =
        session.exec("SELECT id, entry, digest FROM audit_queue ORDER BY id LIMIT $1", pg::Params().integer(kBatch));
    if (queued.empty()) return false;
    std::vector<Hash> leaves;
    std::vector<std::string> seqs, lines, digests;
    Hash prev = last_leaf_;
    for (int i = 0; i < queued.rows(); ++i) {
        const std::uint64_t seq = tree_.size() + leaves.size();
        lines.push_back(entry_line(seq, prev, *parse_ordered(queued.text(i, 1))));
        seqs.push_back(std::to_string(seq));
        digests.push_back(queued.text(i, 2));
        prev = leaf_hash(lines.back());
        leaves.push_back(prev);
    }
    // The batch in one statement (one round trip, not one per entry).
    session.exec(
        "INSERT INTO audit_entries(seq, line, digest) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])",
        pg::Params().text_array(seqs).binary_text_array(lines).binary_text_array(digests));
    // Exactly the rows read: an id is taken at INSERT, not at COMMIT, so a lower id may commit after
    // this SELECT, and "id <= the last one read" would delete an entry never integrated.
    std::vector<std::string> ids;
    for (int i = 0; i < queued.rows(); ++i) ids.push_back(queued.text(i, 0));
    session.exec("DELETE FROM audit_queue WHERE id = ANY($1::bigint[])", pg::Params().text_array(ids));
    tx.commit();
    // The tree learns the leaves once they are committed: a failed round leaves no trace.
    for (const Hash& leaf : leaves) tree_.append(leaf);
    last_leaf_ = prev;
    if (first_unsealed_ms_ == 0) first_unsealed_ms_ = now_ms();
    return queued.rows() == kBatch;
}

void PostgresAuditLog::seal(pg::Connection& session) {
    const std::string line =
        checkpoint_line(signer_, tree_, has_checkpoint_ ? std::optional<std::uint64_t>(sealed_size_) : std::nullopt);
    session.exec("INSERT INTO audit_checkpoints(tree_size, line) VALUES ($1, $2) ON CONFLICT (tree_size) DO NOTHING",
                 pg::Params().integer(static_cast<std::int64_t>(tree_.size())).text(line));
    sealed_size_ = tree_.size();
    has_checkpoint_ = true;
    first_unsealed_ms_ = 0;
    tree_.forget_before(sealed_size_);  // the next seal proves consistency from here on
}

std::uint64_t PostgresAuditLog::pull(const std::string& conninfo, const std::string& dir) {
    PulledPlace place;
    copy(conninfo, dir, place, true);
    return place.entries;
}

void PostgresAuditLog::pull_more(const std::string& conninfo, const std::string& dir, PulledPlace& place) {
    copy(conninfo, dir, place, place.entries == 0 && place.sealed_size < 0);
}

std::optional<PostgresAuditLog::PulledPlace> PostgresAuditLog::place_of(const std::string& dir) {
    const auto last = last_complete_line(dir + "/" + kEntriesFile, true);
    if (!last) return std::nullopt;
    PulledPlace place;
    try {
        Poco::JSON::Parser parser;
        place.entries = parser.parse(*last).extract<Poco::JSON::Object::Ptr>()->getValue<std::uint64_t>("seq") + 1;
    } catch (const std::exception&) {
        return std::nullopt;  // not an entry: no copy of ours
    }
    place.last_line = *last;
    if (const auto sealed = last_complete_line(dir + "/" + kCheckpointsFile, true)) {
        const auto checkpoint = parse_checkpoint(*sealed);
        if (!checkpoint || checkpoint->tree_size > place.entries) return std::nullopt;
        place.sealed_size = static_cast<std::int64_t>(checkpoint->tree_size);
    }
    return place;
}

void PostgresAuditLog::copy(const std::string& conninfo, const std::string& dir, PulledPlace& place, bool from_empty) {
    pg::Connection db(conninfo);
    Poco::File(dir).createDirectories();
    ::chmod(dir.c_str(), 0700);
    // One snapshot for both files, so that every checkpoint written covers entries that are in it.
    pg::Transaction tx(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (place.entries > 0) {
        const auto last = db.exec("SELECT line FROM audit_entries WHERE seq = $1",
                                  pg::Params().integer(static_cast<std::int64_t>(place.entries - 1)));
        if (last.rows() == 0 || last.text(0, 0) != place.last_line) {
            throw AuditError(dir + " holds entry " + std::to_string(place.entries - 1) +
                             " as the log in PostgreSQL does not (the log was changed, or it is another one): "
                             "pull into an empty folder and verify it");
        }
    }
    // Entries first: a checkpoint is written only after the entries it covers.
    PulledFile entries(dir + "/" + kEntriesFile, from_empty);
    for (auto from = static_cast<std::int64_t>(place.entries);; from += kBatch) {
        const auto lines = db.exec("SELECT line FROM audit_entries WHERE seq >= $1 AND seq < $2 ORDER BY seq",
                                   pg::Params().integer(from).integer(from + kBatch));
        std::string batch;
        for (int i = 0; i < lines.rows(); ++i) batch += lines.text(i, 0) + "\n";
        entries.append(batch);
        if (lines.rows() > 0) place.last_line = lines.text(lines.rows() - 1, 0);
        place.entries += static_cast<std::uint64_t>(lines.rows());
        if (lines.rows() < kBatch) break;
    }
    entries.sync();
    PulledFile checkpoints(dir + "/" + kCheckpointsFile, from_empty);
    const auto sealed = db.exec("SELECT tree_size, line FROM audit_checkpoints WHERE tree_size > $1 ORDER BY tree_size",
                                pg::Params().integer(place.sealed_size));
    std::string batch;
    for (int i = 0; i < sealed.rows(); ++i) {
        batch += sealed.text(i, 1) + "\n";
        place.sealed_size = sealed.integer(i, 0);
    }
    checkpoints.append(batch);
    checkpoints.sync();
    tx.commit();
}

}  // namespace vikno::gateway::audit
