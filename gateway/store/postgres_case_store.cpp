#include "store/postgres_case_store.h"

#include "audit/postgres_audit_queue.h"
#include "common/clock.h"
#include "common/ids.h"

#include <vikno/case_json.h>

#include <Poco/JSON/Parser.h>

#include <spdlog/spdlog.h>

#include <poll.h>
#include <unistd.h>
#include <climits>

namespace vikno::gateway {
namespace {

// Created by the first instance to start, under an advisory lock so that two starting at once do
// not race on CREATE.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS instances (
  id          TEXT PRIMARY KEY,
  started_ms  BIGINT NOT NULL,
  alive_until BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS cases (
  id               TEXT PRIMARY KEY,
  service          TEXT NOT NULL,
  office_id        TEXT NOT NULL,
  idempotency_key  TEXT NOT NULL,
  body_hash        TEXT NOT NULL,
  submission       TEXT NOT NULL,
  status           TEXT NOT NULL,
  outcome          TEXT,
  created_ms       BIGINT NOT NULL,
  updated_ms       BIGINT NOT NULL,
  callback_url     TEXT,
  parent_id        TEXT,
  step_id          TEXT,
  cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
  runner           TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS cases_idempotency ON cases(office_id, idempotency_key);
CREATE INDEX IF NOT EXISTS cases_created ON cases(created_ms);
CREATE TABLE IF NOT EXISTS case_history (
  id      BIGSERIAL PRIMARY KEY,
  case_id TEXT NOT NULL,
  at_ms   BIGINT NOT NULL,
  status  TEXT NOT NULL,
  note    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS case_history_case ON case_history(case_id, id);
CREATE TABLE IF NOT EXISTS outbox (
  case_id    TEXT PRIMARY KEY,
  message_id TEXT NOT NULL,
  service    TEXT NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  due_ms     BIGINT NOT NULL,
  claimed_by TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(due_ms);
CREATE TABLE IF NOT EXISTS awaiting (
  registry    TEXT NOT NULL,
  correlation TEXT NOT NULL,
  case_id     TEXT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'awaiting',
  taken_by    TEXT,
  PRIMARY KEY (registry, correlation)
);
CREATE TABLE IF NOT EXISTS exchanges (
  id          BIGSERIAL PRIMARY KEY,
  case_id     TEXT NOT NULL,
  attempt     INTEGER NOT NULL,
  registry    TEXT NOT NULL,
  endpoint    TEXT NOT NULL,
  started_ms  BIGINT NOT NULL,
  duration_ms BIGINT NOT NULL,
  request     BYTEA NOT NULL,
  response    BYTEA,
  http_status INTEGER NOT NULL,
  error       TEXT NOT NULL,
  audit_digest TEXT
);
CREATE INDEX IF NOT EXISTS exchanges_case ON exchanges(case_id, id);
CREATE TABLE IF NOT EXISTS events (
  seq        BIGSERIAL PRIMARY KEY,
  event_id   TEXT NOT NULL,
  case_id    TEXT NOT NULL,
  url        TEXT NOT NULL,
  status     TEXT NOT NULL,
  note       TEXT NOT NULL,
  outcome    TEXT,
  at_ms      BIGINT NOT NULL,
  delivered  BOOLEAN NOT NULL DEFAULT FALSE,
  claimed_by TEXT,
  attempts   INTEGER NOT NULL DEFAULT 0,
  due_ms     BIGINT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  step       TEXT
);
CREATE INDEX IF NOT EXISTS events_pending ON events(case_id, seq) WHERE NOT delivered;
CREATE TABLE IF NOT EXISTS steps (
  situation_id TEXT NOT NULL,
  step_id      TEXT NOT NULL,
  position     INTEGER NOT NULL,
  service      TEXT NOT NULL,
  optional     BOOLEAN NOT NULL,
  status       TEXT NOT NULL,
  case_id      TEXT,
  reason       TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (situation_id, step_id)
);
)sql";

// A claim is free when nobody holds it or its holder's heartbeat has lapsed ($1 is now in ms). A macro,
// so that the statements stay literals joined at compile time, not strings built on every claim.
#define VIKNO_ALIVE "(SELECT id FROM instances WHERE alive_until >= $1)"

// Writes whose loss on a crash of the database only repeats an attempt under the same message id
// (claims, retry times, deliveries): not waited for on disk, like the SQLite store's.
constexpr const char* kBeginRelaxed = "BEGIN; SET LOCAL synchronous_commit = off";

std::string host_name() {
    char name[HOST_NAME_MAX + 1] = {};
    return ::gethostname(name, sizeof name) == 0 ? name : "host";
}

// An exchange's columns, in add_exchange()'s order.
#define VIKNO_EXCHANGE_COLUMNS                                                                               \
    "case_id, attempt, registry, endpoint, started_ms, duration_ms, request, response, http_status, error, " \
    "audit_digest"

// A change of a case's status as one statement, so that it costs one round trip: the case's row
// (and its outcome when one is given), its history and, for a case with a callback URL, the CNAP's
// event, guarded by `guard`, a statement (named g) yielding the case_id to change: the check of a
// claim and the change cannot part. $1-$5 are the change's (event id, status, note, time, outcome
// or NULL to keep it: change_params()), $6-$16 the exchange's when `exchange` is set
// (add_exchange()); the guard writes its own @1 ... @9, numbered after those, and so do `more`
// CTEs and `select`, the statement's answer. `note` may compute the note from g's columns.
// Unreferenced data-modifying CTEs run all the same (PostgreSQL 15 manual, 7.8.4).
std::string status_change(std::string guard, bool exchange, const char* note = "$3::text", std::string more = {},
                          std::string select = "SELECT g.* FROM g") {
    const int base = exchange ? 16 : 5;
    for (int n = 1; n <= 9; ++n) {
        const std::string token = "@" + std::to_string(n);
        for (std::string* text : {&guard, &more, &select}) {
            for (auto at = text->find(token); at != std::string::npos; at = text->find(token)) {
                text->replace(at, token.size(), "$" + std::to_string(base + n));
            }
        }
    }
    std::string sql = "WITH g AS (" + guard + "), ";
    if (exchange) {
        sql += "x AS (INSERT INTO exchanges(" VIKNO_EXCHANGE_COLUMNS
               ") VALUES ($6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)), ";
    }
    sql +=
        "c AS (UPDATE cases SET status = $2, updated_ms = $4, outcome = COALESCE($5, cases.outcome) FROM g "
        "WHERE cases.id = g.case_id RETURNING cases.id, cases.parent_id, cases.callback_url, cases.outcome, "
        "cases.step_id, ";
    sql += note;
    sql +=
        " AS note), h AS (INSERT INTO case_history(case_id, at_ms, status, note) SELECT id, $4, $2, note FROM c), "
        "e AS (INSERT INTO events(event_id, case_id, url, status, note, outcome, at_ms, due_ms, step) "
        "SELECT $1, COALESCE(parent_id, id), callback_url, $2, note, outcome, $4, $4, step_id FROM c "
        "WHERE callback_url IS NOT NULL)";
    if (!more.empty()) sql += ", " + more;
    sql += " " + select;
    return sql;
}

pg::Params change_params(CaseStatus status, const std::string& note, std::int64_t at_ms,
                         const std::optional<Outcome>& outcome = std::nullopt) {
    pg::Params params;
    params.text(new_uuid()).text(std::string(to_string(status))).text(note).integer(at_ms);
    if (outcome) {
        params.text(to_json_text(outcome_to_json(*outcome)));
    } else {
        params.null();
    }
    return params;
}

// With the digest of its audit entry, the row refers to the entry (queued in the same commit, or
// before it) and keeps no copy of the bytes.
pg::Params& add_exchange(pg::Params& params, const ExchangeRecord& e) {
    const bool referred = e.audit_entry && !e.audit_entry->digest.empty();
    params.text(e.case_id)
        .integer(e.attempt)
        .text(e.registry)
        .text(e.endpoint)
        .integer(e.started_ms)
        .integer(e.duration_ms)
        .bytes(referred ? std::string() : e.request_bytes);
    if (referred) {
        params.null();
    } else {
        params.bytes(e.response_bytes);
    }
    params.integer(e.http_status).text(e.error);
    return referred ? params.text(e.audit_entry->digest) : params.null();
}

// A guarded change's statement without and with an exchange to insert, built once.
class GuardedChange {
public:
    explicit GuardedChange(const std::string& guard, const std::string& more = {})
        : plain_(status_change(guard, false, "$3::text", more)),
          with_exchange_(status_change(guard, true, "$3::text", more)) {}
    const char* sql(const ExchangeRecord* exchange) const {
        return (exchange != nullptr ? with_exchange_ : plain_).c_str();
    }

private:
    std::string plain_;
    std::string with_exchange_;
};

// Above this many rows of counts, /metrics folds those of gone connections (about 8 statuses for
// each open connection: 64 connections' worth).
constexpr std::int64_t kFoldCountsAboveRows = 512;

// Cases per status, kept by a trigger in the transaction of every change, so that /metrics (which
// anyone may scrape) sums a few rows instead of grouping every case. Each database connection
// counts in rows of its own (its backend's pid as the slot): a connection runs one transaction at a
// time, so the counts never make two transactions wait for each other or deadlock, as one shared row
// per status would. Slot 0 holds what connections that are gone had counted.
constexpr const char* kStatusCounts = R"sql(
CREATE TABLE status_counts (
  slot   INTEGER NOT NULL,
  status TEXT NOT NULL,
  n      BIGINT NOT NULL,
  PRIMARY KEY (slot, status)
);
CREATE FUNCTION vikno_count_case_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status = NEW.status THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO status_counts(slot, status, n) VALUES (pg_backend_pid(), OLD.status, -1)
      ON CONFLICT (slot, status) DO UPDATE SET n = status_counts.n - 1;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO status_counts(slot, status, n) VALUES (pg_backend_pid(), NEW.status, 1)
      ON CONFLICT (slot, status) DO UPDATE SET n = status_counts.n + 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER cases_counted AFTER INSERT OR DELETE OR UPDATE OF status ON cases
  FOR EACH ROW EXECUTE FUNCTION vikno_count_case_status();
)sql";

constexpr const char* kCasesCountedOnce =
    "INSERT INTO status_counts(slot, status, n) SELECT 0, status, COUNT(*) FROM cases GROUP BY status "
    "ON CONFLICT (slot, status) DO UPDATE SET n = status_counts.n + EXCLUDED.n";

// The rows of connections that are gone, added into slot 0, so that the table stays as small as the
// connections open now (pids are reused: a new backend with a gone one's pid simply goes on with
// its row, or, if this deletes it first, makes a new one). Run under the schema's advisory lock, so
// that two instances do not fold at once.
constexpr const char* kGoneConnectionsCountsFolded =
    "WITH gone AS (DELETE FROM status_counts WHERE slot <> 0 AND slot NOT IN "
    "(SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL) RETURNING status, n) "
    "INSERT INTO status_counts(slot, status, n) SELECT 0, status, SUM(n) FROM gone GROUP BY status "
    "ON CONFLICT (slot, status) DO UPDATE SET n = status_counts.n + EXCLUDED.n";

// The claim's end: this instance's outbox row, removed (none when another instance holds it now).
constexpr const char* kOwnOutboxRowRemoved =
    "DELETE FROM outbox WHERE case_id = @1 AND claimed_by = @2 RETURNING case_id";

}  // namespace

void PostgresCaseStore::create_schema(pg::Connection& db) {
    // One instance creates the schema at a time.
    pg::lock_schema(db);
    // Only when missing: CREATE INDEX IF NOT EXISTS still locks its table, and would deadlock with the
    // running instances' transactions.
    if (db.exec("SELECT to_regclass('steps')").is_null(0, 0)) db.exec_script(kSchema);
    // A schema made before exchanges referred to their audit entries (the bytes written once).
    if (db.exec("SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = "
                "'exchanges' AND column_name = 'audit_digest'")
            .empty()) {
        db.exec("ALTER TABLE exchanges ADD COLUMN audit_digest TEXT");
    }
    // A schema made before the counts gets them, counted once: CREATE TRIGGER locks out writes to
    // cases until this transaction ends, so no change falls between the count and the trigger.
    if (db.exec("SELECT to_regclass('status_counts')").is_null(0, 0)) {
        db.exec_script(kStatusCounts);
        db.exec(kCasesCountedOnce);
    }
    db.exec(kGoneConnectionsCountsFolded);
    pg::compress_with_lz4(db, "cases", {"submission", "outcome"});
    pg::compress_with_lz4(db, "exchanges", {"request", "response"});
}

void PostgresCaseStore::bulk_load(pg::Connection& db, const std::function<void()>& load) {
    // ALTER TABLE is part of the caller's transaction: should it roll back, the trigger was never off.
    db.exec("ALTER TABLE cases DISABLE TRIGGER cases_counted");
    load();
    db.exec("DELETE FROM status_counts");
    db.exec(kCasesCountedOnce);
    db.exec("ALTER TABLE cases ENABLE TRIGGER cases_counted");
}

PostgresCaseStore::PostgresCaseStore(PostgresOptions options)
    : options_(std::move(options)),
      instance_(host_name() + ":" + std::to_string(::getpid()) + ":" + new_uuid().substr(0, 8)) {
    pool_ = std::make_unique<pg::Pool>(options_.conninfo, options_.connections);
    {
        auto db = pool_->take();
        pg::Transaction tx(*db);
        create_schema(*db);
        const std::int64_t now = now_ms();
        db->exec("INSERT INTO instances(id, started_ms, alive_until) VALUES ($1, $2, $3)",
                 pg::Params().text(instance_).integer(now).integer(now + options_.lease_ms));
        tx.commit();
    }
    heartbeat_ = std::thread([this] { beat(); });
    listener_ = std::thread([this] { listen(); });
}

PostgresCaseStore::~PostgresCaseStore() {
    stopping_ = true;
    beat_wake_.notify_all();
    if (heartbeat_.joinable()) heartbeat_.join();
    if (listener_.joinable()) listener_.join();
    try {
        auto db = pool_->take();
        db->exec("DELETE FROM instances WHERE id = $1", pg::Params().text(instance_));
    } catch (const std::exception& e) {
        spdlog::warn("store: could not deregister instance {} ({}); its claims free up when its lease ends", instance_,
                     e.what());
    }
}

void PostgresCaseStore::beat() {
    // Its own connection: a beat that waited for a pool busy with cases could miss the lease and
    // let another instance take this one's claims.
    const auto period = std::chrono::milliseconds(std::max(50, options_.lease_ms / 3));
    std::unique_ptr<pg::Connection> db;
    while (!stopping_) {
        {
            std::unique_lock lock(beat_mutex_);
            beat_wake_.wait_for(lock, period, [this] { return stopping_.load(); });
        }
        if (stopping_) return;
        try {
            if (!db || !db->healthy()) db = std::make_unique<pg::Connection>(options_.conninfo);
            const std::int64_t now = now_ms();
            // Upsert: a database restored or restarted without our row gets it back.
            db->exec(
                "INSERT INTO instances(id, started_ms, alive_until) VALUES ($1, $2, $3) "
                "ON CONFLICT (id) DO UPDATE SET alive_until = EXCLUDED.alive_until",
                pg::Params().text(instance_).integer(now).integer(now + options_.lease_ms));
        } catch (const std::exception& e) {
            db.reset();
            spdlog::warn("store: heartbeat of instance {} failed: {}", instance_, e.what());
        }
    }
}

void PostgresCaseStore::listen() {
    // Its own connection: LISTEN holds it, and the pool's connections are for statements.
    while (!stopping_) {
        try {
            pg::Connection db(options_.conninfo);
            db.exec_script("LISTEN vikno_outbox");
            while (!stopping_ && db.healthy()) {
                pollfd fd{PQsocket(db.raw()), POLLIN, 0};
                if (::poll(&fd, 1, 200) > 0) {
                    PQconsumeInput(db.raw());
                    bool woken = false;
                    while (PGnotify* notice = PQnotifies(db.raw())) {
                        PQfreemem(notice);
                        woken = true;
                    }
                    if (woken) {
                        std::lock_guard lock(wake_mutex_);
                        if (wake_) wake_();
                    }
                }
            }
        } catch (const std::exception& e) {
            spdlog::warn("store: listening for new work failed ({}); polling until it is back", e.what());
            std::unique_lock lock(beat_mutex_);
            beat_wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_.load(); });
        }
    }
}

void PostgresCaseStore::on_new_work(std::function<void()> wake) {
    std::lock_guard lock(wake_mutex_);
    wake_ = std::move(wake);
}

void PostgresCaseStore::update_status(pg::Connection& db, const std::string& case_id, std::int64_t at_ms,
                                      CaseStatus status, const std::string& note,
                                      const std::optional<Outcome>& outcome) {
    // The event for the CNAP back-end goes with the change it reports; a step's case reports as its
    // life situation, with the step named.
    static const std::string sql = status_change("SELECT @1::text AS case_id", false);
    db.exec(sql.c_str(), change_params(status, note, at_ms, outcome).text(case_id));
}

void PostgresCaseStore::insert_exchange(pg::Connection& db, const ExchangeRecord& exchange) {
    pg::Params params;
    db.exec("INSERT INTO exchanges(" VIKNO_EXCHANGE_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            add_exchange(params, exchange));
}

void PostgresCaseStore::record_exchange(const ExchangeRecord& exchange) {
    auto db = pool_->take();
    insert_exchange(*db, exchange);
}

bool PostgresCaseStore::insert_case(pg::Connection& db, const Case& c, const std::string& body_hash,
                                    const std::string& submission, std::int64_t now, const std::string& parent_id,
                                    const std::string& step_id, const std::string& message_id, const AuditRows* audit,
                                    bool claim) {
    // One statement: the case, its first history rows and their events, its outbox row, the other
    // instances' wake-up (delivered at COMMIT) and, with `audit`, its first audit entries, only if
    // the case was inserted. Two instances given the same key at once: the second waits here on the
    // first one's row, and inserts nothing once that one commits. Claimed ($15, this instance's id),
    // the case is sending from the start, as a claim would have made it, and nobody is woken.
    static const std::string head =
        "WITH c AS (INSERT INTO cases(id, service, office_id, idempotency_key, body_hash, submission, status, "
        "created_ms, updated_ms, callback_url, parent_id, step_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, "
        "NULLIF($9, ''), NULLIF($10, ''), NULLIF($11, '')) ON CONFLICT (office_id, idempotency_key) DO NOTHING "
        "RETURNING id, parent_id, callback_url, step_id), "
        "s(n, status, note, event_id) AS (SELECT * FROM (VALUES (1, 'received', '', $12), (2, 'queued', '', $13), "
        "(3, 'sending', 'attempt 1', $16)) AS v WHERE v.column1 < 3 OR $15 <> ''), "
        "h AS (INSERT INTO case_history(case_id, at_ms, status, note) SELECT c.id, $8, s.status, s.note FROM c, s "
        "ORDER BY s.n), "
        "e AS (INSERT INTO events(event_id, case_id, url, status, note, outcome, at_ms, due_ms, step) "
        "SELECT s.event_id, COALESCE(c.parent_id, c.id), c.callback_url, s.status, s.note, NULL, $8, $8, c.step_id "
        "FROM c, s WHERE c.callback_url IS NOT NULL ORDER BY s.n), "
        "o AS (INSERT INTO outbox(case_id, message_id, service, due_ms, claimed_by) "
        "SELECT c.id, $14, $2, $8, NULLIF($15, '') FROM c WHERE $14 <> '') ";
    static const std::string tail =
        "SELECT c.id, CASE WHEN $14 <> '' AND $15 = '' THEN pg_notify('vikno_outbox', '') END FROM c";
    static const std::string plain = head + tail;
    static const std::string with_audit =
        head + ", q AS (" +
        audit::audit_queue_insert("$17::text[], $18::text[]", "entry, digest", "EXISTS (SELECT 1 FROM c)") + ") " +
        tail;
    pg::Params params;
    params.text(c.id)
        .text(c.service)
        .text(c.office.id)
        .text(c.idempotency_key)
        .text(body_hash)
        .text(submission)
        .text(std::string(to_string(claim ? CaseStatus::Sending : CaseStatus::Queued)))
        .integer(now)
        .text(c.callback_url)
        .text(parent_id)
        .text(step_id)
        .text(new_uuid())
        .text(new_uuid())
        .text(message_id)
        .text(claim ? instance_ : std::string())
        .text(new_uuid());
    if (audit != nullptr) params.binary_text_array(audit->texts).binary_text_array(audit->digests);
    return !db.exec((audit != nullptr ? with_audit : plain).c_str(), params).empty();
}

SubmitResult PostgresCaseStore::submit_with(const Case& c, const std::string& message_id,
                                            const std::function<void(pg::Connection&)>& also, const AuditRows* audit,
                                            bool claim) {
    const std::string submission = to_json_text(submission_to_json(c));
    const std::string body_hash = sha256_hex(submission);
    auto db = pool_->take();
    // Without more to write the submission is one statement, committed (durably: synchronous_commit
    // is on) when it returns; with more, one transaction.
    std::optional<pg::Transaction> tx;
    if (also) tx.emplace(*db);
    if (!insert_case(*db, c, body_hash, submission, now_ms(), "", "", message_id, audit, claim)) {
        const auto existing = db->exec("SELECT id, body_hash FROM cases WHERE office_id = $1 AND idempotency_key = $2",
                                       pg::Params().text(c.office.id).text(c.idempotency_key));
        if (existing.empty()) throw pg::Error("the case holding idempotency key '" + c.idempotency_key + "' is gone");
        return {existing.text(0, 1) == body_hash ? SubmitOutcome::Replayed : SubmitOutcome::Conflict,
                existing.text(0, 0)};
    }
    if (also) {
        also(*db);
        tx->commit();
    }
    SubmitResult result{SubmitOutcome::Created, c.id};
    if (claim) result.claimed = claimed_at_submission(c, message_id, submission);
    return result;
}

SubmitResult PostgresCaseStore::submit(const Case& c, const std::string& message_id, const AuditRows* received,
                                       bool claim) {
    auto result = submit_with(c, message_id, {}, received, claim);
    if (result.outcome == SubmitOutcome::Created) ++backlog_;  // this instance's own, until the next count
    return result;
}

SubmitResult PostgresCaseStore::submit_situation(const Case& c, const std::vector<StepRecord>& steps,
                                                 const AuditRows* received) {
    // All the steps in one statement: a round trip per step inside the situation's transaction held
    // its locks that much longer.
    std::vector<std::string> ids, positions, services, optional;
    for (const auto& step : steps) {
        ids.push_back(step.step_id);
        positions.push_back(std::to_string(step.position));
        services.push_back(step.service);
        optional.emplace_back(step.optional ? "t" : "f");
    }
    return submit_with(
        c, "",
        [&](pg::Connection& db) {
            db.exec(
                "INSERT INTO steps(situation_id, step_id, position, service, optional, status) "
                "SELECT $1, s.id, s.position::integer, s.service, s.optional::boolean, 'pending' "
                "FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS s(id, position, service, optional)",
                pg::Params().text(c.id).text_array(ids).text_array(positions).text_array(services).text_array(
                    optional));
        },
        received);
}

std::optional<Case> PostgresCaseStore::find(const std::string& case_id) {
    auto db = pool_->take();
    // The case's row and then its history, in one round trip (every dispatch attempt and status
    // query reads a case) and from one snapshot: the first row is the case's (part 0), the rest are
    // its history in order, each in the same columns (note in place of the submission).
    const auto rows = db->exec(
        "SELECT 0 AS part, 0::bigint AS seq, submission, status, outcome, created_ms, updated_ms, idempotency_key "
        "FROM cases WHERE id = $1 "
        "UNION ALL SELECT 1, id, note, status, NULL, at_ms, 0, NULL FROM case_history WHERE case_id = $1 "
        "ORDER BY part, seq",
        pg::Params().text(case_id));
    if (rows.empty() || rows.integer(0, 0) != 0) return std::nullopt;
    auto parsed = parse_submitted_case(rows.text(0, 2));
    if (!parsed) throw pg::Error("stored case " + case_id + " does not parse: " + parsed.error().front().reason);
    Case c = std::move(parsed).value();
    c.id = case_id;
    c.status = parse_case_status(rows.text(0, 3)).value_or(CaseStatus::Failed);
    if (!rows.is_null(0, 4)) {
        Poco::JSON::Parser parser;
        c.outcome = outcome_from_json(parser.parse(rows.text(0, 4)).extract<Poco::JSON::Object::Ptr>());
    }
    c.created_at = rfc3339(rows.integer(0, 5));
    c.updated_at = rfc3339(rows.integer(0, 6));
    c.idempotency_key = rows.text(0, 7);
    for (int i = 1; i < rows.rows(); ++i) {
        c.history.push_back({parse_case_status(rows.text(i, 3)).value_or(CaseStatus::Failed),
                             rfc3339(rows.integer(i, 5)), rows.text(i, 2)});
    }
    return c;
}

std::optional<OutboxItem> PostgresCaseStore::claim_next(std::int64_t now,
                                                        const std::vector<std::string>& skip_services) {
    return claim_or_next_due(now, skip_services).item;
}

Outbox::Claim PostgresCaseStore::claim_or_next_due(std::int64_t now, const std::vector<std::string>& skip_services) {
    // The row is chosen by a scalar subquery, which runs once. Joined as a FROM item, a LIMIT 1 ...
    // SKIP LOCKED subquery may be scanned again under a prepared statement's generic plan and return
    // another row each time: one claim took several rows, of which only the first was sent (vikno-load
    // with two instances left 441 cases 'sending' with nobody sending them). When it takes nothing,
    // the second branch answers when the next row falls due; its subquery runs only then (a one-time
    // filter is checked before the row is computed).
    static const std::string sql = status_change(
        "UPDATE outbox SET claimed_by = @2 WHERE case_id = (SELECT case_id FROM outbox WHERE due_ms <= @1 AND "
        "(claimed_by IS NULL OR claimed_by NOT IN (SELECT id FROM instances WHERE alive_until >= @1)) "
        "AND NOT (service = ANY(@3::text[])) ORDER BY due_ms LIMIT 1 FOR UPDATE SKIP LOCKED) "
        "RETURNING case_id, message_id, attempts, service",
        false, "$3::text || (g.attempts + 1)", {},
        "SELECT g.case_id, g.message_id, g.attempts, g.service, NULL::bigint AS next_due_ms, k.submission FROM g "
        "JOIN cases k ON k.id = g.case_id UNION ALL "
        "SELECT NULL, NULL, NULL, NULL, (SELECT MIN(due_ms) FROM outbox WHERE claimed_by IS NULL OR claimed_by "
        "NOT IN (SELECT id FROM instances WHERE alive_until >= @1)), NULL WHERE NOT EXISTS (SELECT 1 FROM g)");
    std::lock_guard lock(claim_mutex_);
    if (!claim_db_) {
        claim_db_ = std::make_unique<pg::Connection>(options_.conninfo, "SET synchronous_commit = off");
    } else if (!claim_db_->healthy()) {
        claim_db_->reset();
    }
    // One statement in autocommit: atomic on its own, durable enough on this session (claim_db_).
    const auto rows = claim_db_->exec(sql.c_str(), change_params(CaseStatus::Sending, "attempt ", now_ms())
                                                       .integer(now)
                                                       .text(instance_)
                                                       .text_array(skip_services));
    Claim claim;
    if (rows.empty()) return claim;
    if (!rows.is_null(0, 0)) {
        claim.item =
            OutboxItem{rows.text(0, 0), rows.text(0, 1), static_cast<int>(rows.integer(0, 2)), rows.text(0, 3), {}};
        // The submission as the case's row holds it (the claim changes only its status).
        attach_submission(*claim.item, rows.text(0, 5));
    } else if (!rows.is_null(0, 4)) {
        claim.next_due_ms = rows.integer(0, 4);
    }
    return claim;
}

std::optional<std::int64_t> PostgresCaseStore::next_due_ms() {
    auto db = pool_->take();
    const auto due = db->exec(
        "SELECT MIN(due_ms) FROM outbox WHERE claimed_by IS NULL OR claimed_by "
        "NOT IN " VIKNO_ALIVE,
        pg::Params().integer(now_ms()));
    if (due.empty() || due.is_null(0, 0)) return std::nullopt;
    return due.integer(0, 0);
}

int PostgresCaseStore::release_claims() {
    // Only the claims of instances that are gone: a live instance's are its own.
    auto db = pool_->take();
    const pg::Params now = pg::Params().integer(now_ms());
    const auto outbox = db->exec(
        "UPDATE outbox SET claimed_by = NULL WHERE claimed_by IS NOT NULL AND claimed_by NOT IN " VIKNO_ALIVE, now);
    const auto callbacks = db->exec(
        "UPDATE awaiting SET state = 'awaiting', taken_by = NULL WHERE state = 'taking' AND taken_by NOT "
        "IN " VIKNO_ALIVE,
        now);
    db->exec("DELETE FROM instances WHERE alive_until < $1", pg::Params().integer(now_ms() - 60000));
    return static_cast<int>(outbox.affected() + callbacks.affected());
}

int PostgresCaseStore::release_orphans(const std::vector<std::string>& held) {
    auto db = pool_->take();
    return static_cast<int>(
        db->exec("UPDATE outbox SET claimed_by = NULL WHERE claimed_by = $1 AND NOT (case_id = ANY($2::text[]))",
                 pg::Params().text(instance_).text_array(held))
            .affected());
}

void PostgresCaseStore::reschedule(const OutboxItem& item, std::int64_t next_ms, const std::string& note,
                                   const ExchangeRecord* exchange) {
    // The exchange is evidence whoever holds the claim; only the holder moves the case.
    static const GuardedChange change(
        "UPDATE outbox SET claimed_by = NULL, attempts = attempts + 1, due_ms = @2 WHERE case_id = @1 AND "
        "claimed_by = @3 RETURNING case_id");
    auto params = change_params(CaseStatus::Queued, note, now_ms());
    if (exchange != nullptr) add_exchange(params, *exchange);
    auto db = pool_->take();
    pg::Transaction tx(*db, kBeginRelaxed);
    db->exec(change.sql(exchange), params.text(item.case_id).integer(next_ms).text(instance_));
    tx.commit();
}

void PostgresCaseStore::postpone(const OutboxItem& item, std::int64_t next_ms, const std::string& note) {
    static const std::string sql = status_change(
        "UPDATE outbox SET claimed_by = NULL, due_ms = @2 WHERE case_id = @1 AND claimed_by = @3 RETURNING case_id",
        false);
    auto db = pool_->take();
    pg::Transaction tx(*db, kBeginRelaxed);
    db->exec(sql.c_str(),
             change_params(CaseStatus::Queued, note, now_ms()).text(item.case_id).integer(next_ms).text(instance_));
    tx.commit();
}

void PostgresCaseStore::finish(const OutboxItem& item, CaseStatus status, const std::optional<Outcome>& outcome,
                               const std::string& note, const ExchangeRecord* exchange, const AuditRows* audit) {
    // Only the holder of the claim ends the case; an instance that lost it (its lease lapsed while
    // it was stalled) keeps its exchange and the exchange's audit entry on record and changes
    // nothing else: the end's audit entries go only with the end. One statement, committed durably
    // when it returns.
    static const GuardedChange change(kOwnOutboxRowRemoved);
    // The exchange's entries whatever happens, the end's only with the end (g removed the row).
    static const GuardedChange with_audit(
        kOwnOutboxRowRemoved,
        "q AS (" +
            audit::audit_queue_insert("@3::text[], @4::text[], @5::boolean[]", "entry, digest, with_end",
                                      "NOT e.with_end OR EXISTS (SELECT 1 FROM g)") +
            ")");
    auto params = change_params(status, note, now_ms(), outcome);
    if (exchange != nullptr) add_exchange(params, *exchange);
    params.text(item.case_id).text(instance_);
    if (audit != nullptr) {
        std::vector<std::string> with_end;
        for (std::size_t i = 0; i < audit->texts.size(); ++i) with_end.emplace_back(i < audit->evidence ? "f" : "t");
        params.binary_text_array(audit->texts).binary_text_array(audit->digests).text_array(with_end);
    }
    auto db = pool_->take();
    const auto removed = db->exec((audit != nullptr ? with_audit : change).sql(exchange), params);
    if (!removed.empty()) --backlog_;
}

void PostgresCaseStore::await_callback(const OutboxItem& item, const std::string& registry,
                                       const std::string& correlation, const Outcome& interim, const std::string& note,
                                       const ExchangeRecord* exchange) {
    static const GuardedChange change(kOwnOutboxRowRemoved);
    auto params = change_params(CaseStatus::AwaitingRegistry, note, now_ms(), interim);
    if (exchange != nullptr) add_exchange(params, *exchange);
    auto db = pool_->take();
    pg::Transaction tx(*db);
    const auto removed = db->exec(change.sql(exchange), params.text(item.case_id).text(instance_));
    if (!removed.empty()) {
        db->exec(
            "INSERT INTO awaiting(registry, correlation, case_id) VALUES ($1, $2, $3) ON CONFLICT (registry, "
            "correlation) DO UPDATE SET case_id = EXCLUDED.case_id, state = 'awaiting', taken_by = NULL",
            pg::Params().text(registry).text(correlation).text(item.case_id));
    }
    tx.commit();
    if (!removed.empty()) --backlog_;
}

std::int64_t PostgresCaseStore::backlog() const {
    const std::int64_t now = now_ms();
    if (now - backlog_at_.load() < 200) return backlog_.load();
    backlog_at_ = now;
    try {
        auto db = pool_->take();
        backlog_ = db->exec("SELECT COUNT(*) FROM outbox").integer(0, 0);
    } catch (const std::exception& e) {
        spdlog::warn("store: the backlog could not be counted: {}", e.what());
    }
    return backlog_.load();
}

CallbackClaim PostgresCaseStore::claim_callback(const std::string& registry, const std::string& correlation) {
    const auto key = std::make_pair(registry, correlation);
    bool held_here = false;
    {
        const std::lock_guard lock(callbacks_mutex_);
        held_here = !callbacks_held_.insert(key).second;
    }
    // Held by this caller from here on unless it is not taken below (or the reply is lost).
    struct Unhold {
        PostgresCaseStore& store;
        const std::pair<std::string, std::string>& key;
        bool keep = false;
        ~Unhold() {
            if (keep) return;
            const std::lock_guard lock(store.callbacks_mutex_);
            store.callbacks_held_.erase(key);
        }
    } unhold{*this, key, held_here};
    auto db = pool_->take();
    const auto taken = db->exec(
        "UPDATE awaiting SET state = 'taking', taken_by = $4 WHERE registry = $2 AND correlation = $3 "
        "AND (state = 'awaiting' OR (state = 'taking' AND (taken_by NOT IN " VIKNO_ALIVE
        " OR (taken_by = $4 AND NOT $5::boolean)))) RETURNING case_id",
        pg::Params().integer(now_ms()).text(registry).text(correlation).text(instance_).text(held_here ? "t" : "f"));
    if (!taken.empty()) {
        unhold.keep = true;
        return {CallbackClaim::State::Taken, taken.text(0, 0)};
    }
    const auto found = db->exec("SELECT case_id, state FROM awaiting WHERE registry = $1 AND correlation = $2",
                                pg::Params().text(registry).text(correlation));
    if (found.empty()) return {};
    return {found.text(0, 1) == "answered" ? CallbackClaim::State::Answered : CallbackClaim::State::Busy,
            found.text(0, 0)};
}

void PostgresCaseStore::let_go_callback(const std::string& registry, const std::string& correlation) {
    const std::lock_guard lock(callbacks_mutex_);
    callbacks_held_.erase({registry, correlation});
}

void PostgresCaseStore::release_callback(const std::string& registry, const std::string& correlation) {
    // No caller holds it any more, whether or not the database hears of it now.
    let_go_callback(registry, correlation);
    auto db = pool_->take();
    db->exec(
        "UPDATE awaiting SET state = 'awaiting', taken_by = NULL WHERE registry = $1 AND correlation = $2 AND "
        "state = 'taking' AND taken_by = $3",
        pg::Params().text(registry).text(correlation).text(instance_));
}

bool PostgresCaseStore::finish_callback(const std::string& case_id, const std::string& registry,
                                        const std::string& correlation, CaseStatus status, const Outcome& outcome,
                                        const std::string& note, const ExchangeRecord& exchange) {
    // Nothing at all (not even the exchange) unless this caller had taken it.
    static const std::string sql = status_change(
        "UPDATE awaiting SET state = 'answered' WHERE registry = @1 AND correlation = @2 AND case_id = @3 AND "
        "state = 'taking' AND taken_by = @4 RETURNING case_id",
        false);
    auto db = pool_->take();
    pg::Transaction tx(*db);
    const auto answered = db->exec(
        sql.c_str(),
        change_params(status, note, now_ms(), outcome).text(registry).text(correlation).text(case_id).text(instance_));
    if (answered.empty()) return false;  // rolled back on the way out
    insert_exchange(*db, exchange);
    tx.commit();
    let_go_callback(registry, correlation);
    return true;
}

std::map<CaseStatus, std::int64_t> PostgresCaseStore::count_by_status() {
    auto db = pool_->take();
    const auto rows = db->exec("SELECT status, SUM(n)::bigint, COUNT(*) FROM status_counts GROUP BY status");
    std::map<CaseStatus, std::int64_t> counts;
    std::int64_t slots = 0;
    for (int i = 0; i < rows.rows(); ++i) {
        slots += rows.integer(i, 2);
        if (rows.integer(i, 1) == 0) continue;
        if (auto status = parse_case_status(rows.text(i, 0))) counts[*status] = rows.integer(i, 1);
    }
    // Connections come and go (a database restart, a failover): fold what the gone ones counted
    // once their rows outnumber what a few instances' pools keep open, unless another is folding.
    if (slots > kFoldCountsAboveRows) {
        pg::Transaction tx(*db);
        if (pg::try_lock_schema(*db)) db->exec(kGoneConnectionsCountsFolded);
        tx.commit();
    }
    return counts;
}

std::vector<CaseRow> PostgresCaseStore::search(const CaseQuery& query) {
    const CaseSearch search = case_search(query, SqlDialect::Postgres);
    pg::Params params;
    for (const auto& text : search.texts) params.text(text);
    for (const auto number : search.numbers) params.integer(number);
    auto db = pool_->take();
    const auto result = db->exec(search.sql.c_str(), params);
    std::vector<CaseRow> rows;
    for (int i = 0; i < result.rows(); ++i) {
        rows.push_back({result.text(i, 0), result.text(i, 1), result.text(i, 2), result.text(i, 3), result.text(i, 4),
                        result.text(i, 5), result.integer(i, 6), result.integer(i, 7), result.text(i, 8)});
    }
    return rows;
}

std::vector<ExchangeRecord> PostgresCaseStore::exchanges(const std::string& case_id) {
    auto db = pool_->take();
    const auto rows = db->exec(
        "SELECT attempt, registry, endpoint, started_ms, duration_ms, request, response, http_status, error, "
        "audit_digest FROM exchanges WHERE case_id = $1 ORDER BY id",
        pg::Params().text(case_id));
    std::vector<ExchangeRecord> result;
    for (int i = 0; i < rows.rows(); ++i) {
        result.push_back({case_id, static_cast<int>(rows.integer(i, 0)), rows.text(i, 1), rows.text(i, 2),
                          rows.integer(i, 3), rows.integer(i, 4), rows.bytes(i, 5), rows.bytes(i, 6),
                          static_cast<int>(rows.integer(i, 7)), rows.text(i, 8)});
        if (!rows.is_null(i, 9)) result.back().audit_entry = AuditEntryRef{0, 0, rows.text(i, 9)};
    }
    return result;
}

std::optional<PendingEvent> PostgresCaseStore::claim_event(std::int64_t now) {
    auto db = pool_->take();
    pg::Transaction tx(*db, kBeginRelaxed);
    // The first undelivered event of its case only, so that a case's events arrive in order whichever
    // instance delivers them.
    const auto claim = db->exec(
        "UPDATE events SET claimed_by = $2 WHERE seq = (SELECT e.seq FROM events e WHERE NOT "
        "e.delivered AND (e.claimed_by IS NULL OR e.claimed_by NOT IN " VIKNO_ALIVE
        ") AND e.due_ms <= $1 AND NOT EXISTS (SELECT 1 FROM events p WHERE p.case_id = e.case_id AND NOT "
        "p.delivered AND p.seq < e.seq) ORDER BY e.seq LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING seq, event_id, "
        "case_id, url, status, note, outcome, at_ms, attempts, step",
        pg::Params().integer(now).text(instance_));
    if (claim.empty()) return std::nullopt;
    PendingEvent event;
    event.seq = claim.integer(0, 0);
    event.event_id = claim.text(0, 1);
    event.case_id = claim.text(0, 2);
    event.url = claim.text(0, 3);
    event.status = claim.text(0, 4);
    event.note = claim.text(0, 5);
    if (!claim.is_null(0, 6)) event.outcome_json = claim.text(0, 6);
    event.at_ms = claim.integer(0, 7);
    event.attempts = static_cast<int>(claim.integer(0, 8));
    if (!claim.is_null(0, 9)) event.step = claim.text(0, 9);
    const auto owner = db->exec("SELECT office_id, service FROM cases WHERE id = $1", pg::Params().text(event.case_id));
    if (!owner.empty()) {
        event.office_id = owner.text(0, 0);
        event.service = owner.text(0, 1);
    }
    tx.commit();
    return event;
}

void PostgresCaseStore::event_delivered(std::int64_t seq) {
    auto db = pool_->take();
    pg::Transaction tx(*db, kBeginRelaxed);
    db->exec("UPDATE events SET delivered = TRUE, claimed_by = NULL WHERE seq = $1", pg::Params().integer(seq));
    tx.commit();
}

void PostgresCaseStore::event_retry(std::int64_t seq, std::int64_t next_ms, const std::string& error) {
    auto db = pool_->take();
    pg::Transaction tx(*db, kBeginRelaxed);
    db->exec(
        "UPDATE events SET claimed_by = NULL, attempts = attempts + 1, due_ms = $2, last_error = $3 WHERE "
        "seq = $1 AND claimed_by = $4",
        pg::Params().integer(seq).integer(next_ms).text(error).text(instance_));
    tx.commit();
}

int PostgresCaseStore::release_event_claims() {
    auto db = pool_->take();
    const auto released =
        db->exec("UPDATE events SET claimed_by = NULL WHERE claimed_by IS NOT NULL AND claimed_by NOT IN " VIKNO_ALIVE,
                 pg::Params().integer(now_ms()));
    return static_cast<int>(released.affected());
}

int PostgresCaseStore::release_event_orphans(const std::vector<std::int64_t>& held) {
    std::vector<std::string> seqs;
    for (const auto seq : held) seqs.push_back(std::to_string(seq));
    auto db = pool_->take();
    return static_cast<int>(
        db->exec("UPDATE events SET claimed_by = NULL WHERE claimed_by = $1 AND NOT (seq = ANY($2::bigint[]))",
                 pg::Params().text(instance_).text_array(seqs))
            .affected());
}

std::int64_t PostgresCaseStore::events_pending() {
    auto db = pool_->take();
    return db->exec("SELECT COUNT(*) FROM events WHERE NOT delivered").integer(0, 0);
}

std::vector<std::string> PostgresCaseStore::active_situations() {
    // A situation is advanced by one instance at a time: this one takes those nobody alive holds.
    auto db = pool_->take();
    const auto rows = db->exec(
        "UPDATE cases SET runner = $2 WHERE status IN ('queued', 'sending') AND id IN (SELECT "
        "situation_id FROM steps) AND (runner IS NULL OR runner = $2 OR runner NOT IN " VIKNO_ALIVE ") RETURNING id",
        pg::Params().integer(now_ms()).text(instance_));
    std::vector<std::string> ids;
    for (int i = 0; i < rows.rows(); ++i) ids.push_back(rows.text(i, 0));
    return ids;
}

std::vector<StepRecord> PostgresCaseStore::steps(const std::string& situation_id) {
    auto db = pool_->take();
    const auto rows = db->exec(
        "SELECT s.step_id, s.service, s.optional, s.position, s.status, s.case_id, s.reason, c.status FROM steps s "
        "LEFT JOIN cases c ON c.id = s.case_id WHERE s.situation_id = $1 ORDER BY s.position",
        pg::Params().text(situation_id));
    std::vector<StepRecord> steps;
    for (int i = 0; i < rows.rows(); ++i) {
        StepRecord step;
        step.step_id = rows.text(i, 0);
        step.service = rows.text(i, 1);
        step.optional = rows.text(i, 2) == "t";
        step.position = static_cast<int>(rows.integer(i, 3));
        step.status = rows.text(i, 4);
        if (!rows.is_null(i, 5)) step.case_id = rows.text(i, 5);
        step.reason = rows.text(i, 6);
        if (!rows.is_null(i, 7)) step.case_status = rows.text(i, 7);
        steps.push_back(std::move(step));
    }
    return steps;
}

void PostgresCaseStore::start_step(const std::string& situation_id, const std::string& step_id, const Case& step_case,
                                   const std::string& message_id) {
    const std::string submission = to_json_text(submission_to_json(step_case));
    auto db = pool_->take();
    pg::Transaction tx(*db);
    const std::int64_t now = now_ms();
    const bool started =
        insert_case(*db, step_case, sha256_hex(submission), submission, now, situation_id, step_id, message_id);
    db->exec("UPDATE steps SET status = 'running', case_id = $3 WHERE situation_id = $1 AND step_id = $2",
             pg::Params().text(situation_id).text(step_id).text(step_case.id));
    tx.commit();
    if (started) ++backlog_;
}

void PostgresCaseStore::end_step(const std::string& situation_id, const std::string& step_id, const std::string& status,
                                 const std::string& reason) {
    auto db = pool_->take();
    db->exec("UPDATE steps SET status = $3, reason = $4 WHERE situation_id = $1 AND step_id = $2",
             pg::Params().text(situation_id).text(step_id).text(status).text(reason));
}

void PostgresCaseStore::update_situation(const std::string& situation_id, CaseStatus status,
                                         const std::optional<Outcome>& outcome, const std::string& note) {
    auto db = pool_->take();
    pg::Transaction tx(*db, is_final(status) ? "BEGIN" : kBeginRelaxed);
    update_status(*db, situation_id, now_ms(), status, note, outcome);
    tx.commit();
}

bool PostgresCaseStore::request_cancel(const std::string& case_id) {
    auto db = pool_->take();
    return db->exec("UPDATE cases SET cancel_requested = TRUE WHERE id = $1 AND status IN ('queued', 'sending')",
                    pg::Params().text(case_id))
               .affected() > 0;
}

bool PostgresCaseStore::cancel_requested(const std::string& case_id) {
    auto db = pool_->take();
    const auto row = db->exec("SELECT cancel_requested FROM cases WHERE id = $1", pg::Params().text(case_id));
    return !row.empty() && row.text(0, 0) == "t";
}

bool PostgresCaseStore::cancel_queued(const std::string& case_id, const std::string& note) {
    auto db = pool_->take();
    pg::Transaction tx(*db);
    const auto removed =
        db->exec("DELETE FROM outbox WHERE case_id = $1 AND claimed_by IS NULL", pg::Params().text(case_id));
    if (removed.affected() == 0) return false;  // being sent, or final: it runs to its end
    update_status(*db, case_id, now_ms(), CaseStatus::Cancelled, note);
    tx.commit();
    --backlog_;
    return true;
}

}  // namespace vikno::gateway
