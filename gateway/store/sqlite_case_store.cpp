#include "store/sqlite_case_store.h"

#include "common/clock.h"
#include "common/ids.h"
#include "store/sqlite_statement.h"

#include <vikno/case_json.h>

#include <Poco/File.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

namespace vikno::gateway {
namespace {

// The file audit log is written by itself (AuditLog::append), never through this store: rows meant
// for a queue in the store's database are a caller's mistake, not something to drop quietly.
void refuse_audit_rows(const AuditRows* rows) {
    if (rows != nullptr) throw std::logic_error("the SQLite store does not hold an audit log's queue");
}

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS cases (
  id              TEXT PRIMARY KEY,
  service         TEXT NOT NULL,
  office_id       TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  body_hash       TEXT NOT NULL,
  submission      TEXT NOT NULL,
  status          TEXT NOT NULL,
  outcome         TEXT,
  created_ms      INTEGER NOT NULL,
  updated_ms      INTEGER NOT NULL,
  callback_url    TEXT,
  parent_id       TEXT,
  step_id         TEXT,
  cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS cases_idempotency ON cases(office_id, idempotency_key);
CREATE TABLE IF NOT EXISTS case_history (
  case_id TEXT NOT NULL,
  at_ms   INTEGER NOT NULL,
  status  TEXT NOT NULL,
  note    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS case_history_case ON case_history(case_id);
CREATE INDEX IF NOT EXISTS cases_created ON cases(created_ms);
CREATE TABLE IF NOT EXISTS outbox (
  case_id    TEXT PRIMARY KEY,
  message_id TEXT NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  due_ms     INTEGER NOT NULL,
  claimed    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(claimed, due_ms);
CREATE TABLE IF NOT EXISTS awaiting (
  registry    TEXT NOT NULL,
  correlation TEXT NOT NULL,
  case_id     TEXT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'awaiting',
  PRIMARY KEY (registry, correlation)
);
CREATE TABLE IF NOT EXISTS exchanges (
  case_id     TEXT NOT NULL,
  attempt     INTEGER NOT NULL,
  registry    TEXT NOT NULL,
  endpoint    TEXT NOT NULL,
  started_ms  INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  request     BLOB NOT NULL,
  response    BLOB,
  http_status INTEGER NOT NULL,
  error       TEXT NOT NULL,
  audit_seq    INTEGER,
  audit_offset INTEGER
);
CREATE INDEX IF NOT EXISTS exchanges_case ON exchanges(case_id);
CREATE TABLE IF NOT EXISTS events (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id   TEXT NOT NULL,
  case_id    TEXT NOT NULL,
  url        TEXT NOT NULL,
  status     TEXT NOT NULL,
  note       TEXT NOT NULL,
  outcome    TEXT,
  at_ms      INTEGER NOT NULL,
  delivered  INTEGER NOT NULL DEFAULT 0,
  claimed    INTEGER NOT NULL DEFAULT 0,
  attempts   INTEGER NOT NULL DEFAULT 0,
  due_ms     INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  step       TEXT
);
CREATE INDEX IF NOT EXISTS events_due ON events(delivered, claimed, due_ms);
CREATE INDEX IF NOT EXISTS events_case ON events(case_id, delivered, seq);
CREATE TABLE IF NOT EXISTS steps (
  situation_id TEXT NOT NULL,
  step_id      TEXT NOT NULL,
  position     INTEGER NOT NULL,
  service      TEXT NOT NULL,
  optional     INTEGER NOT NULL,
  status       TEXT NOT NULL,
  case_id      TEXT,
  reason       TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (situation_id, step_id)
);
)sql";

// Columns added after the first release, for stores created before them.
void migrate(sqlite3* db) {
    const std::vector<std::pair<const char*, const char*>> columns{
        {"cases", "callback_url TEXT"},
        {"cases", "parent_id TEXT"},
        {"cases", "step_id TEXT"},
        {"cases", "cancel_requested INTEGER NOT NULL DEFAULT 0"},
        {"events", "step TEXT"},
        {"awaiting", "state TEXT NOT NULL DEFAULT 'awaiting'"},
        {"exchanges", "audit_seq INTEGER"},
        {"exchanges", "audit_offset INTEGER"},
    };
    for (const auto& [table, column] : columns) {
        const std::string name = std::string(column).substr(0, std::string(column).find(' '));
        sqlite::Statement known(
            db, ("SELECT 1 FROM pragma_table_info('" + std::string(table) + "') WHERE name = '" + name + "'").c_str());
        if (!known.step()) sqlite::exec(db, ("ALTER TABLE " + std::string(table) + " ADD COLUMN " + column).c_str());
    }
    // Cases per status, kept by triggers in the transaction of every change, so that /metrics reads
    // a few rows instead of grouping every case under the store's lock. A store made before it gets
    // it, counted once, the first time this version opens it.
    const bool counted =
        sqlite::Statement(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'status_counts'").step();
    if (!counted) {
        sqlite::exec(db, R"sql(
BEGIN IMMEDIATE;
CREATE TABLE status_counts (status TEXT PRIMARY KEY, n INTEGER NOT NULL);
INSERT INTO status_counts(status, n) SELECT status, COUNT(*) FROM cases GROUP BY status;
CREATE TRIGGER cases_counted_on_insert AFTER INSERT ON cases BEGIN
  INSERT INTO status_counts(status, n) VALUES (NEW.status, 1) ON CONFLICT(status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER cases_counted_on_update AFTER UPDATE OF status ON cases WHEN OLD.status <> NEW.status BEGIN
  UPDATE status_counts SET n = n - 1 WHERE status = OLD.status;
  INSERT INTO status_counts(status, n) VALUES (NEW.status, 1) ON CONFLICT(status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER cases_counted_on_delete AFTER DELETE ON cases BEGIN
  UPDATE status_counts SET n = n - 1 WHERE status = OLD.status;
END;
COMMIT;
)sql");
    }
}

// Creates the file with mode 0600 before SQLite does; SQLite gives its WAL and
// shm files the same mode.
void create_private_file(const std::string& path) {
    const Poco::Path parent = Poco::Path(path).parent();
    if (!parent.toString().empty()) Poco::File(parent).createDirectories();
    const int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) throw sqlite::Error("cannot create the store file " + path + ": " + std::strerror(errno));
    ::close(fd);
}

}  // namespace

SqliteCaseStore::SqliteCaseStore(const std::string& path) : path_(path) {
    create_private_file(path);
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
        const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw sqlite::Error("cannot open the store " + path + ": " + message);
    }
    try {
        sqlite3_busy_timeout(db_, 5000);
        sqlite::exec(db_, "PRAGMA journal_mode=WAL");
        // SQLite writes the WAL at commit; the store syncs it itself where
        // durability is promised (make_durable), so that concurrent commits share
        // one sync instead of one each (FULL).
        sqlite::exec(db_, "PRAGMA synchronous=NORMAL");
        sqlite::exec(db_, "PRAGMA foreign_keys=ON");
        sqlite::exec(db_, kSchema);
        migrate(db_);
        statements_ = std::make_unique<sqlite::StatementCache>(db_);
        transactions_ = std::make_unique<sqlite::SharedTransactions>(*statements_, mutex_);
        {
            sqlite::Statement count(*statements_, "SELECT COUNT(*) FROM outbox");
            if (count.step()) backlog_ = count.integer(0);
        }
        open_wal();
    } catch (const sqlite::Error& e) {
        transactions_.reset();
        statements_.reset();
        sqlite3_close(db_);
        throw sqlite::Error("the store " + path + " cannot be used: " + e.what() +
                            " (is it a Vikno database? move it away to start with an empty one)");
    }
}

SqliteCaseStore::~SqliteCaseStore() {
    transactions_.reset();
    statements_.reset();
    sqlite3_close(db_);
    if (wal_fd_ >= 0) ::close(wal_fd_);
}

// The WAL file SQLite appends committed transactions to, opened for fdatasync
// (which flushes the file's data whichever descriptor wrote it), and its
// directory entry made durable once.
void SqliteCaseStore::open_wal() {
    const std::string wal = path_ + "-wal";
    wal_fd_ = ::open(wal.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (wal_fd_ < 0) throw sqlite::Error("cannot open " + wal + ": " + std::strerror(errno));
    const auto slash = path_.rfind('/');
    const std::string folder = slash == std::string::npos ? "." : (slash == 0 ? "/" : path_.substr(0, slash));
    if (const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

std::uint64_t SqliteCaseStore::commit(sqlite::Transaction& tx) {
    tx.commit();
    return transactions_->count_commit();
}

void SqliteCaseStore::make_durable(std::uint64_t commit_count) {
    const std::lock_guard lock(sync_mutex_);
    if (durable_ >= commit_count) return;
    const std::uint64_t covered = transactions_->committed();  // every commit counted has written its frames
    if (::fdatasync(wal_fd_) != 0) {
        throw sqlite::Error("the store " + path_ + ": fdatasync of the WAL failed: " + std::strerror(errno));
    }
    durable_ = covered;
}

void SqliteCaseStore::add_history(const std::string& case_id, std::int64_t at_ms, CaseStatus status,
                                  const std::string& note) {
    const std::string status_text(to_string(status));
    sqlite::Statement(*statements_, "INSERT INTO case_history(case_id, at_ms, status, note) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, case_id)
        .bind(2, at_ms)
        .bind(3, status_text)
        .bind(4, note)
        .run();
    // The CNAP back-end hears of the change through the event outbox, written in the same
    // transaction: an event is never lost, nor sent for a change that did not happen. A step's case
    // reports as its life situation, with the step named, so that the situation's events keep order.
    sqlite::Statement(*statements_,
                      "INSERT INTO events(event_id, case_id, url, status, note, outcome, at_ms, due_ms, step) "
                      "SELECT ?2, COALESCE(parent_id, id), callback_url, ?3, ?4, outcome, ?5, ?5, step_id FROM cases "
                      "WHERE id = ?1 AND callback_url IS NOT NULL")
        .bind(1, case_id)
        .bind(2, new_uuid())
        .bind(3, status_text)
        .bind(4, note)
        .bind(5, at_ms)
        .run();
}

void SqliteCaseStore::update_status(const std::string& case_id, std::int64_t at_ms, CaseStatus status,
                                    const std::string& note) {
    sqlite::Statement(*statements_, "UPDATE cases SET status = ?2, updated_ms = ?3 WHERE id = ?1")
        .bind(1, case_id)
        .bind(2, std::string(to_string(status)))
        .bind(3, at_ms)
        .run();
    add_history(case_id, at_ms, status, note);
}

void SqliteCaseStore::insert_exchange(const ExchangeRecord& e) {
    sqlite::Statement s(*statements_,
                        "INSERT INTO exchanges(case_id, attempt, registry, endpoint, started_ms, duration_ms, request, "
                        "response, http_status, error, audit_seq, audit_offset) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                        "?8, ?9, ?10, ?11, ?12)");
    s.bind(1, e.case_id).bind(2, std::int64_t{e.attempt}).bind(3, e.registry).bind(4, e.endpoint);
    s.bind(5, e.started_ms).bind(6, e.duration_ms).bind(9, std::int64_t{e.http_status}).bind(10, e.error);
    if (e.audit_entry && e.audit_entry->digest.empty()) {
        // The bytes are in the audit log's line, durable before this row (Dispatcher::end_case).
        s.bind_blob(7, std::string()).bind(11, static_cast<std::int64_t>(e.audit_entry->seq));
        s.bind(12, static_cast<std::int64_t>(e.audit_entry->offset));
    } else {
        s.bind_blob(7, e.request_bytes).bind_blob(8, e.response_bytes);
    }
    s.run();
}

void SqliteCaseStore::record_exchange(const ExchangeRecord& exchange) {
    transactions_->run([&] { insert_exchange(exchange); });
}

SubmitResult SqliteCaseStore::submit(const Case& c, const std::string& message_id, const AuditRows* received,
                                     bool claim) {
    refuse_audit_rows(received);
    std::string submission;
    SubmitResult result = submit_with(
        c,
        [&](std::int64_t now) {
            sqlite::Statement(*statements_,
                              "INSERT INTO outbox(case_id, message_id, due_ms, claimed) VALUES (?1, ?2, ?3, ?4)")
                .bind(1, c.id)
                .bind(2, message_id)
                .bind(3, now)
                .bind(4, std::int64_t{claim ? 1 : 0})
                .run();
        },
        claim ? &submission : nullptr, claim);
    if (result.outcome != SubmitOutcome::Created) return result;
    ++backlog_;
    if (claim) result.claimed = claimed_at_submission(c, message_id, submission);
    return result;
}

SubmitResult SqliteCaseStore::submit_situation(const Case& c, const std::vector<StepRecord>& steps,
                                               const AuditRows* received) {
    refuse_audit_rows(received);
    return submit_with(c, [&](std::int64_t) {
        for (const auto& step : steps) {
            sqlite::Statement(*statements_,
                              "INSERT INTO steps(situation_id, step_id, position, service, optional, status) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, 'pending')")
                .bind(1, c.id)
                .bind(2, step.step_id)
                .bind(3, std::int64_t{step.position})
                .bind(4, step.service)
                .bind(5, std::int64_t{step.optional ? 1 : 0})
                .run();
        }
    });
}

void SqliteCaseStore::insert_case(const Case& c, const std::string& body_hash, const std::string& submission,
                                  std::int64_t now, const std::string& parent_id, const std::string& step_id,
                                  bool claimed) {
    sqlite::Statement insert(
        *statements_,
        "INSERT INTO cases(id, service, office_id, idempotency_key, body_hash, submission, status, "
        "created_ms, updated_ms, callback_url, parent_id, step_id) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, NULLIF(?9, ''), NULLIF(?10, ''), NULLIF(?11, ''))");
    insert.bind(1, c.id).bind(2, c.service).bind(3, c.office.id).bind(4, c.idempotency_key).bind(5, body_hash);
    insert.bind(6, submission).bind(7, std::string(to_string(claimed ? CaseStatus::Sending : CaseStatus::Queued)));
    insert.bind(8, now).bind(9, c.callback_url).bind(10, parent_id).bind(11, step_id).run();
    add_history(c.id, now, CaseStatus::Received, "");
    add_history(c.id, now, CaseStatus::Queued, "");
    // What a claim would write, in this commit: the case is sending from the start.
    if (claimed) add_history(c.id, now, CaseStatus::Sending, "attempt 1");
}

SubmitResult SqliteCaseStore::submit_with(const Case& c, const std::function<void(std::int64_t)>& also,
                                          std::string* stored, bool claimed) {
    std::string submission = to_json_text(submission_to_json(c));
    const std::string body_hash = sha256_hex(submission);
    SubmitResult result;
    // The earlier submission a replay finds may be committed but not yet synced: the replay waits
    // for it too (it is covered by the commit run() returns).
    const std::uint64_t commit_count = transactions_->run([&] {
        sqlite::Statement existing(*statements_,
                                   "SELECT id, body_hash FROM cases WHERE office_id = ?1 AND idempotency_key = ?2");
        existing.bind(1, c.office.id).bind(2, c.idempotency_key);
        if (existing.step()) {
            result = {existing.text(1) == body_hash ? SubmitOutcome::Replayed : SubmitOutcome::Conflict,
                      existing.text(0)};
            return;
        }
        const std::int64_t now = now_ms();
        insert_case(c, body_hash, submission, now, "", "", claimed);
        also(now);
        result = {SubmitOutcome::Created, c.id};
    });
    make_durable(commit_count);
    if (stored != nullptr) *stored = std::move(submission);
    return result;
}

std::optional<Case> SqliteCaseStore::find(const std::string& case_id) {
    std::lock_guard lock(mutex_);
    sqlite::Statement row(
        *statements_,
        "SELECT submission, status, outcome, created_ms, updated_ms, idempotency_key FROM cases WHERE id = ?1");
    row.bind(1, case_id);
    if (!row.step()) return std::nullopt;
    auto parsed = parse_submitted_case(row.text(0));
    if (!parsed) throw sqlite::Error("stored case " + case_id + " does not parse: " + parsed.error().front().reason);
    Case c = std::move(parsed).value();
    c.id = case_id;
    c.status = parse_case_status(row.text(1)).value_or(CaseStatus::Failed);
    if (!row.is_null(2)) {
        Poco::JSON::Parser parser;
        c.outcome = outcome_from_json(parser.parse(row.text(2)).extract<Poco::JSON::Object::Ptr>());
    }
    c.created_at = rfc3339(row.integer(3));
    c.updated_at = rfc3339(row.integer(4));
    c.idempotency_key = row.text(5);

    sqlite::Statement history(*statements_,
                              "SELECT at_ms, status, note FROM case_history WHERE case_id = ?1 ORDER BY rowid");
    history.bind(1, case_id);
    while (history.step()) {
        c.history.push_back({parse_case_status(history.text(1)).value_or(CaseStatus::Failed),
                             rfc3339(history.integer(0)), history.text(2)});
    }
    return c;
}

std::optional<OutboxItem> SqliteCaseStore::claim_next(std::int64_t now, const std::vector<std::string>& skip_services) {
    std::string skipped;
    if (!skip_services.empty()) {
        Poco::JSON::Array services;
        for (const auto& service : skip_services) services.add(service);
        std::ostringstream text;
        services.stringify(text);
        skipped = text.str();
    }
    std::optional<OutboxItem> item;
    std::string submission;
    // Not synced: losing a claim on a power cut only repeats an attempt under the same message id.
    transactions_->run([&] { item = claim_row(now, skipped, submission); });
    if (item) attach_submission(*item, submission);  // parsed outside the shared transaction
    return item;
}

std::optional<OutboxItem> SqliteCaseStore::claim_row(std::int64_t now, const std::string& skip_services,
                                                     std::string& submission) {
    // Skipping services costs a look at each skipped row's case; it happens only while a registry
    // has every slot taken (it is slow or stalled), and the cheap query serves every other claim.
    const char* sql =
        skip_services.empty()
            ? "UPDATE outbox SET claimed = 1 WHERE case_id = (SELECT case_id FROM outbox WHERE claimed = 0 AND "
              "due_ms <= ?1 ORDER BY due_ms LIMIT 1) RETURNING case_id, message_id, attempts"
            : "UPDATE outbox SET claimed = 1 WHERE case_id = (SELECT o.case_id FROM outbox o JOIN cases c ON c.id = "
              "o.case_id WHERE o.claimed = 0 AND o.due_ms <= ?1 AND c.service NOT IN (SELECT value FROM "
              "json_each(?2)) ORDER BY o.due_ms LIMIT 1) RETURNING case_id, message_id, attempts";
    sqlite::Statement claim(*statements_, sql);
    claim.bind(1, now);
    if (!skip_services.empty()) claim.bind(2, skip_services);
    if (!claim.step()) return std::nullopt;
    OutboxItem item{claim.text(0), claim.text(1), static_cast<int>(claim.integer(2)), "", {}};
    while (claim.step()) {}
    sqlite::Statement service(*statements_, "SELECT service, submission FROM cases WHERE id = ?1");
    service.bind(1, item.case_id);
    if (service.step()) {
        item.service = service.text(0);
        submission = service.text(1);
    }
    update_status(item.case_id, now_ms(), CaseStatus::Sending, "attempt " + std::to_string(item.attempts + 1));
    return item;
}

std::optional<std::int64_t> SqliteCaseStore::next_due_ms() {
    std::lock_guard lock(mutex_);
    sqlite::Statement s(*statements_, "SELECT MIN(due_ms) FROM outbox WHERE claimed = 0");
    if (!s.step() || s.is_null(0)) return std::nullopt;
    return s.integer(0);
}

int SqliteCaseStore::release_claims() {
    std::lock_guard lock(mutex_);
    sqlite::Statement(*statements_, "UPDATE outbox SET claimed = 0 WHERE claimed = 1").run();
    const int released = sqlite3_changes(db_);
    // A callback taken when the process died was not processed: the registry's retry may take it.
    sqlite::Statement(*statements_, "UPDATE awaiting SET state = 'awaiting' WHERE state = 'taking'").run();
    return released + sqlite3_changes(db_);
}

void SqliteCaseStore::reschedule(const OutboxItem& item, std::int64_t next_ms, const std::string& note,
                                 const ExchangeRecord* exchange) {
    // Not synced: losing it on a power cut only repeats an attempt under the same message id.
    transactions_->run([&] {
        if (exchange != nullptr) insert_exchange(*exchange);
        sqlite::Statement(*statements_,
                          "UPDATE outbox SET claimed = 0, attempts = attempts + 1, due_ms = ?2 WHERE case_id = ?1")
            .bind(1, item.case_id)
            .bind(2, next_ms)
            .run();
        update_status(item.case_id, now_ms(), CaseStatus::Queued, note);
    });
}

void SqliteCaseStore::postpone(const OutboxItem& item, std::int64_t next_ms, const std::string& note) {
    // Not synced: losing it on a power cut only repeats an attempt under the same message id.
    transactions_->run([&] {
        sqlite::Statement(*statements_, "UPDATE outbox SET claimed = 0, due_ms = ?2 WHERE case_id = ?1")
            .bind(1, item.case_id)
            .bind(2, next_ms)
            .run();
        update_status(item.case_id, now_ms(), CaseStatus::Queued, note);
    });
}

void SqliteCaseStore::finish(const OutboxItem& item, CaseStatus status, const std::optional<Outcome>& outcome,
                             const std::string& note, const ExchangeRecord* exchange, const AuditRows* audit) {
    refuse_audit_rows(audit);
    const std::string outcome_text = outcome ? to_json_text(outcome_to_json(*outcome)) : std::string();
    bool removed = false;
    const std::uint64_t commit_count = transactions_->run([&] {
        if (exchange != nullptr) insert_exchange(*exchange);
        if (outcome) {
            sqlite::Statement(*statements_, "UPDATE cases SET outcome = ?2 WHERE id = ?1")
                .bind(1, item.case_id)
                .bind(2, outcome_text)
                .run();
        }
        update_status(item.case_id, now_ms(), status, note);
        sqlite::Statement(*statements_, "DELETE FROM outbox WHERE case_id = ?1").bind(1, item.case_id).run();
        removed = sqlite3_changes(db_) > 0;
    });
    if (removed) --backlog_;
    make_durable(commit_count);
}

void SqliteCaseStore::await_callback(const OutboxItem& item, const std::string& registry,
                                     const std::string& correlation, const Outcome& interim, const std::string& note,
                                     const ExchangeRecord* exchange) {
    std::uint64_t commit_count = 0;
    {
        std::lock_guard lock(mutex_);
        sqlite::Transaction tx(db_);
        if (exchange != nullptr) insert_exchange(*exchange);
        sqlite::Statement(*statements_, "UPDATE cases SET outcome = ?2 WHERE id = ?1")
            .bind(1, item.case_id)
            .bind(2, to_json_text(outcome_to_json(interim)))
            .run();
        update_status(item.case_id, now_ms(), CaseStatus::AwaitingRegistry, note);
        sqlite::Statement(*statements_, "DELETE FROM outbox WHERE case_id = ?1").bind(1, item.case_id).run();
        const bool removed = sqlite3_changes(db_) > 0;
        sqlite::Statement(*statements_,
                          "INSERT OR REPLACE INTO awaiting(registry, correlation, case_id) VALUES (?1, ?2, ?3)")
            .bind(1, registry)
            .bind(2, correlation)
            .bind(3, item.case_id)
            .run();
        commit_count = commit(tx);
        if (removed) --backlog_;
    }
    make_durable(commit_count);
}

CallbackClaim SqliteCaseStore::claim_callback(const std::string& registry, const std::string& correlation) {
    std::lock_guard lock(mutex_);
    sqlite::Statement s(*statements_, "SELECT case_id, state FROM awaiting WHERE registry = ?1 AND correlation = ?2");
    s.bind(1, registry).bind(2, correlation);
    if (!s.step()) return {};
    CallbackClaim claim{CallbackClaim::State::Taken, s.text(0)};
    const std::string state = s.text(1);
    if (state == "answered") return {CallbackClaim::State::Answered, claim.case_id};
    if (state != "awaiting") return {CallbackClaim::State::Busy, claim.case_id};
    // Under the store's mutex nobody else moves it between the read and this write; a lost claim
    // (no sync here) is released at the next start.
    sqlite::Statement(*statements_, "UPDATE awaiting SET state = 'taking' WHERE registry = ?1 AND correlation = ?2")
        .bind(1, registry)
        .bind(2, correlation)
        .run();
    return claim;
}

void SqliteCaseStore::release_callback(const std::string& registry, const std::string& correlation) {
    std::lock_guard lock(mutex_);
    sqlite::Statement(
        *statements_,
        "UPDATE awaiting SET state = 'awaiting' WHERE registry = ?1 AND correlation = ?2 AND state = 'taking'")
        .bind(1, registry)
        .bind(2, correlation)
        .run();
}

bool SqliteCaseStore::finish_callback(const std::string& case_id, const std::string& registry,
                                      const std::string& correlation, CaseStatus status, const Outcome& outcome,
                                      const std::string& note, const ExchangeRecord& exchange) {
    std::uint64_t commit_count = 0;
    {
        std::lock_guard lock(mutex_);
        sqlite::Transaction tx(db_);
        sqlite::Statement answered(*statements_,
                                   "UPDATE awaiting SET state = 'answered' WHERE registry = ?1 AND "
                                   "correlation = ?2 AND case_id = ?3 AND state = 'taking'");
        answered.bind(1, registry).bind(2, correlation).bind(3, case_id).run();
        if (sqlite3_changes(db_) == 0) return false;  // the transaction rolls back on scope exit
        insert_exchange(exchange);
        sqlite::Statement(*statements_, "UPDATE cases SET outcome = ?2 WHERE id = ?1")
            .bind(1, case_id)
            .bind(2, to_json_text(outcome_to_json(outcome)))
            .run();
        update_status(case_id, now_ms(), status, note);
        commit_count = commit(tx);
    }
    make_durable(commit_count);
    return true;
}

std::map<CaseStatus, std::int64_t> SqliteCaseStore::count_by_status() {
    std::lock_guard lock(mutex_);
    std::map<CaseStatus, std::int64_t> counts;
    sqlite::Statement s(*statements_, "SELECT status, n FROM status_counts WHERE n > 0");
    while (s.step()) {
        if (auto status = parse_case_status(s.text(0))) counts[*status] = s.integer(1);
    }
    return counts;
}

std::vector<CaseRow> SqliteCaseStore::search(const CaseQuery& query) {
    const CaseSearch search = case_search(query, SqlDialect::Sqlite);
    std::lock_guard lock(mutex_);
    sqlite::Statement s(db_, search.sql.c_str());
    int index = 0;
    for (const auto& text : search.texts) s.bind(++index, text);
    for (const auto number : search.numbers) s.bind(++index, number);
    std::vector<CaseRow> rows;
    while (s.step()) {
        rows.push_back(
            {s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.integer(6), s.integer(7), s.text(8)});
    }
    return rows;
}

std::vector<ExchangeRecord> SqliteCaseStore::exchanges(const std::string& case_id) {
    std::lock_guard lock(mutex_);
    std::vector<ExchangeRecord> result;
    sqlite::Statement s(*statements_,
                        "SELECT attempt, registry, endpoint, started_ms, duration_ms, request, response, http_status, "
                        "error, audit_seq, audit_offset FROM exchanges WHERE case_id = ?1 ORDER BY rowid");
    s.bind(1, case_id);
    while (s.step()) {
        result.push_back({case_id, static_cast<int>(s.integer(0)), s.text(1), s.text(2), s.integer(3), s.integer(4),
                          s.text(5), s.text(6), static_cast<int>(s.integer(7)), s.text(8)});
        if (!s.is_null(9)) {
            result.back().audit_entry =
                AuditEntryRef{static_cast<std::uint64_t>(s.integer(9)), static_cast<std::uint64_t>(s.integer(10)), {}};
        }
    }
    return result;
}

std::optional<PendingEvent> SqliteCaseStore::claim_event(std::int64_t now) {
    std::lock_guard lock(mutex_);
    sqlite::Transaction tx(db_);
    sqlite::Statement claim(
        *statements_,
        "UPDATE events SET claimed = 1 WHERE seq = (SELECT e.seq FROM events e WHERE e.delivered = 0 "
        "AND e.claimed = 0 AND e.due_ms <= ?1 AND NOT EXISTS (SELECT 1 FROM events p WHERE "
        "p.case_id = e.case_id AND p.delivered = 0 AND p.seq < e.seq) ORDER BY e.seq LIMIT 1) "
        "RETURNING seq, event_id, case_id, url, status, note, outcome, at_ms, attempts, step");
    claim.bind(1, now);
    if (!claim.step()) return std::nullopt;
    PendingEvent event;
    event.seq = claim.integer(0);
    event.event_id = claim.text(1);
    event.case_id = claim.text(2);
    event.url = claim.text(3);
    event.status = claim.text(4);
    event.note = claim.text(5);
    if (!claim.is_null(6)) event.outcome_json = claim.text(6);
    event.at_ms = claim.integer(7);
    event.attempts = static_cast<int>(claim.integer(8));
    if (!claim.is_null(9)) event.step = claim.text(9);
    while (claim.step()) {}
    sqlite::Statement owner(*statements_, "SELECT office_id, service FROM cases WHERE id = ?1");
    owner.bind(1, event.case_id);
    if (owner.step()) {
        event.office_id = owner.text(0);
        event.service = owner.text(1);
    }
    tx.commit();  // not synced: a claim lost on a power cut is claimed again
    return event;
}

void SqliteCaseStore::event_delivered(std::int64_t seq) {
    std::lock_guard lock(mutex_);
    // Not synced: a delivery forgotten on a power cut is delivered again, which at-least-once allows.
    sqlite::Statement(*statements_, "UPDATE events SET delivered = 1, claimed = 0 WHERE seq = ?1").bind(1, seq).run();
}

void SqliteCaseStore::event_retry(std::int64_t seq, std::int64_t next_ms, const std::string& error) {
    std::lock_guard lock(mutex_);
    sqlite::Statement(
        *statements_,
        "UPDATE events SET claimed = 0, attempts = attempts + 1, due_ms = ?2, last_error = ?3 WHERE seq = ?1")
        .bind(1, seq)
        .bind(2, next_ms)
        .bind(3, error)
        .run();
}

int SqliteCaseStore::release_event_claims() {
    std::lock_guard lock(mutex_);
    sqlite::Statement(*statements_, "UPDATE events SET claimed = 0 WHERE claimed = 1").run();
    return sqlite3_changes(db_);
}

std::int64_t SqliteCaseStore::events_pending() {
    std::lock_guard lock(mutex_);
    sqlite::Statement count(*statements_, "SELECT COUNT(*) FROM events WHERE delivered = 0");
    return count.step() ? count.integer(0) : 0;
}

std::vector<std::string> SqliteCaseStore::active_situations() {
    std::lock_guard lock(mutex_);
    sqlite::Statement s(*statements_,
                        "SELECT DISTINCT s.situation_id FROM steps s JOIN cases c ON c.id = s.situation_id "
                        "WHERE c.status IN ('queued', 'sending')");
    std::vector<std::string> ids;
    while (s.step()) ids.push_back(s.text(0));
    return ids;
}

std::vector<StepRecord> SqliteCaseStore::steps(const std::string& situation_id) {
    std::lock_guard lock(mutex_);
    sqlite::Statement s(
        *statements_,
        "SELECT s.step_id, s.service, s.optional, s.position, s.status, s.case_id, s.reason, c.status "
        "FROM steps s LEFT JOIN cases c ON c.id = s.case_id WHERE s.situation_id = ?1 ORDER BY s.position");
    s.bind(1, situation_id);
    std::vector<StepRecord> steps;
    while (s.step()) {
        StepRecord step;
        step.step_id = s.text(0);
        step.service = s.text(1);
        step.optional = s.integer(2) != 0;
        step.position = static_cast<int>(s.integer(3));
        step.status = s.text(4);
        if (!s.is_null(5)) step.case_id = s.text(5);
        step.reason = s.text(6);
        if (!s.is_null(7)) step.case_status = s.text(7);
        steps.push_back(std::move(step));
    }
    return steps;
}

void SqliteCaseStore::start_step(const std::string& situation_id, const std::string& step_id, const Case& step_case,
                                 const std::string& message_id) {
    const std::string submission = to_json_text(submission_to_json(step_case));
    std::uint64_t commit_count = 0;
    {
        std::lock_guard lock(mutex_);
        sqlite::Transaction tx(db_);
        const std::int64_t now = now_ms();
        insert_case(step_case, sha256_hex(submission), submission, now, situation_id, step_id);
        sqlite::Statement(*statements_, "INSERT INTO outbox(case_id, message_id, due_ms) VALUES (?1, ?2, ?3)")
            .bind(1, step_case.id)
            .bind(2, message_id)
            .bind(3, now)
            .run();
        sqlite::Statement(*statements_,
                          "UPDATE steps SET status = 'running', case_id = ?3 WHERE situation_id = ?1 AND step_id = ?2")
            .bind(1, situation_id)
            .bind(2, step_id)
            .bind(3, step_case.id)
            .run();
        commit_count = commit(tx);
        ++backlog_;
    }
    make_durable(commit_count);
}

void SqliteCaseStore::end_step(const std::string& situation_id, const std::string& step_id, const std::string& status,
                               const std::string& reason) {
    std::lock_guard lock(mutex_);
    // Not synced: it is derived from the step's case (durable) or decided again after a restart.
    sqlite::Statement(*statements_,
                      "UPDATE steps SET status = ?3, reason = ?4 WHERE situation_id = ?1 AND step_id = ?2")
        .bind(1, situation_id)
        .bind(2, step_id)
        .bind(3, status)
        .bind(4, reason)
        .run();
}

void SqliteCaseStore::update_situation(const std::string& situation_id, CaseStatus status,
                                       const std::optional<Outcome>& outcome, const std::string& note) {
    std::uint64_t commit_count = 0;
    {
        std::lock_guard lock(mutex_);
        sqlite::Transaction tx(db_);
        if (outcome) {
            sqlite::Statement(*statements_, "UPDATE cases SET outcome = ?2 WHERE id = ?1")
                .bind(1, situation_id)
                .bind(2, to_json_text(outcome_to_json(*outcome)))
                .run();
        }
        update_status(situation_id, now_ms(), status, note);
        commit_count = commit(tx);
    }
    if (is_final(status)) make_durable(commit_count);
}

bool SqliteCaseStore::request_cancel(const std::string& case_id) {
    std::lock_guard lock(mutex_);
    sqlite::Statement(*statements_,
                      "UPDATE cases SET cancel_requested = 1 WHERE id = ?1 AND status IN ('queued', 'sending')")
        .bind(1, case_id)
        .run();
    return sqlite3_changes(db_) > 0;
}

bool SqliteCaseStore::cancel_requested(const std::string& case_id) {
    std::lock_guard lock(mutex_);
    sqlite::Statement s(*statements_, "SELECT cancel_requested FROM cases WHERE id = ?1");
    s.bind(1, case_id);
    return s.step() && s.integer(0) != 0;
}

bool SqliteCaseStore::cancel_queued(const std::string& case_id, const std::string& note) {
    std::uint64_t commit_count = 0;
    {
        std::lock_guard lock(mutex_);
        sqlite::Transaction tx(db_);
        sqlite::Statement(*statements_, "DELETE FROM outbox WHERE case_id = ?1 AND claimed = 0").bind(1, case_id).run();
        if (sqlite3_changes(db_) == 0) return false;  // being sent, or final: it runs to its end
        update_status(case_id, now_ms(), CaseStatus::Cancelled, note);
        commit_count = commit(tx);
        --backlog_;
    }
    make_durable(commit_count);
    return true;
}

}  // namespace vikno::gateway
