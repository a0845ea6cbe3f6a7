#include "store/pg_connection.h"

#include "common/storage_full.h"

#include <spdlog/spdlog.h>

#include <cstring>
#include <utility>

namespace vikno::gateway::pg {
namespace {

// SQLSTATE 53100 disk_full; 53xxx is "insufficient resources" (also out of memory, too many
// connections), of which only the disk is the full-disk condition.
[[noreturn]] void fail(PGconn* conn, const PGresult* result, const std::string& what) {
    const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = result != nullptr ? PQresultErrorMessage(result) : "";
    if (message.empty()) message = PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    if (state != nullptr && std::strcmp(state, "53100") == 0) throw StorageFull("store (PostgreSQL): " + message);
    // Class 08 (connection exception), 57P01-57P03 (the server shutting down, crashed, starting):
    // the database is away, not the statement wrong. So is a connection libpq reports broken.
    const bool away =
        (state != nullptr && (std::strncmp(state, "08", 2) == 0 || std::strncmp(state, "57P0", 4) == 0)) ||
        PQstatus(conn) != CONNECTION_OK;
    if (away) throw StoreUnavailable("store (PostgreSQL) unavailable: " + message);
    throw Error(what + ": " + message);
}

std::string first_line(const char* sql) {
    std::string text(sql);
    const auto end = text.find('\n');
    return end == std::string::npos ? text : text.substr(0, end);
}

}  // namespace

Params& Params::text(std::string value) {
    values_.emplace_back(std::move(value));
    formats_.push_back(0);
    return *this;
}

Params& Params::integer(std::int64_t value) { return text(std::to_string(value)); }

Params& Params::bytes(std::string value) {
    values_.emplace_back(std::move(value));
    formats_.push_back(1);
    return *this;
}

Params& Params::null() {
    values_.emplace_back(std::nullopt);
    formats_.push_back(0);
    return *this;
}

Params& Params::text_array(const std::vector<std::string>& values) {
    std::string literal = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) literal += ',';
        literal += '"';
        for (const char c : values[i]) {
            if (c == '"' || c == '\\') literal += '\\';
            literal += c;
        }
        literal += '"';
    }
    literal += '}';
    return text(literal);
}

Params& Params::binary_text_array(const std::vector<std::string>& values) {
    // array_send's layout (src/backend/utils/adt/arrayfuncs.c), network byte order: dimensions,
    // has-nulls flag, element type; per dimension its length and lower bound; per value its length
    // and bytes. An empty array has no dimensions.
    constexpr std::uint32_t kTextOid = 25;
    std::string out;
    const auto put = [&out](std::uint32_t n) {
        for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xff);
    };
    std::size_t total = 20;
    for (const auto& value : values) total += 4 + value.size();
    out.reserve(total);
    put(values.empty() ? 0 : 1);
    put(0);
    put(kTextOid);
    if (!values.empty()) {
        put(static_cast<std::uint32_t>(values.size()));
        put(1);
    }
    for (const auto& value : values) {
        put(static_cast<std::uint32_t>(value.size()));
        out += value;
    }
    return bytes(std::move(out));
}

std::vector<const char*> Params::pointers() const {
    std::vector<const char*> result;
    for (const auto& value : values_) result.push_back(value ? value->data() : nullptr);
    return result;
}

std::vector<int> Params::lengths() const {
    std::vector<int> result;
    for (const auto& value : values_) result.push_back(value ? static_cast<int>(value->size()) : 0);
    return result;
}

std::vector<int> Params::formats() const { return formats_; }

std::string Result::text(int row, int column) const {
    return std::string(PQgetvalue(result_.get(), row, column),
                       static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

std::int64_t Result::integer(int row, int column) const { return std::stoll(text(row, column)); }

std::string Result::bytes(int row, int column) const {
    if (is_null(row, column)) return "";
    std::size_t length = 0;
    unsigned char* raw =
        PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row, column)), &length);
    if (raw == nullptr) throw Error("a bytea column could not be decoded");
    std::string value(reinterpret_cast<const char*>(raw), length);
    PQfreemem(raw);
    return value;
}

std::int64_t Result::affected() const {
    const char* tuples = PQcmdTuples(result_.get());
    return tuples != nullptr && *tuples != '\0' ? std::stoll(tuples) : 0;
}

namespace {

// The server's notices (NOTICE, WARNING) go to the operational log, not to standard error.
void log_notice(void* /*unused*/, const char* message) {
    std::string text = message;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    spdlog::debug("store (PostgreSQL): {}", text);
}

}  // namespace

// Every statement is prepared once per connection and run many times with other values: a plan made
// for the values at hand saves nothing over the generic one (primary keys, the outbox's due index,
// arrays of a few rows), but the server's default would plan anew each time it judged a custom plan
// cheaper, as it does for any statement that unnests an array: the end of a case was planned at every
// call (16 % of the server's CPU per case, docs/performance.md).
constexpr const char* kEverySession = "SET plan_cache_mode = force_generic_plan";

Connection::Connection(const std::string& conninfo, std::string session)
    : conn_(PQconnectdb(conninfo.c_str())),
      session_(session.empty() ? kEverySession : std::string(kEverySession) + "; " + session) {
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string message = PQerrorMessage(conn_);
        while (!message.empty() && message.back() == '\n') message.pop_back();
        PQfinish(conn_);
        conn_ = nullptr;
        throw StoreUnavailable("cannot connect to PostgreSQL: " + message);
    }
    PQsetNoticeProcessor(conn_, &log_notice, nullptr);
    try {
        exec_script(session_.c_str());
    } catch (...) {
        PQfinish(conn_);
        conn_ = nullptr;
        throw;
    }
}

Connection::~Connection() {
    if (conn_ != nullptr) PQfinish(conn_);
}

void Connection::reset() {
    PQreset(conn_);
    prepared_.clear();  // a new session has none
    if (healthy()) exec_script(session_.c_str());
}

const std::string& Connection::prepared(const char* sql, int parameters) {
    const auto found = prepared_.find(sql);
    if (found != prepared_.end()) return found->second;
    std::string name = "vikno_" + std::to_string(prepared_.size());
    const Result result(PQprepare(conn_, name.c_str(), sql, parameters, nullptr));
    const ExecStatusType status = PQresultStatus(raw_of(result));
    if (status != PGRES_COMMAND_OK) fail(conn_, raw_of(result), first_line(sql));
    return prepared_.emplace(sql, std::move(name)).first->second;
}

Result Connection::exec(const char* sql, const Params& params) {
    const auto values = params.pointers();
    const auto lengths = params.lengths();
    const auto formats = params.formats();
    // Prepared once per connection: parsing and planning the same statements again was about a tenth
    // of the server's CPU under load (docs/performance.md, "Several instances on PostgreSQL").
    const std::string& name = prepared(sql, params.size());
    PGresult* raw =
        PQexecPrepared(conn_, name.c_str(), params.size(), values.data(), lengths.data(), formats.data(), 0);
    Result result(raw);  // owns it, also on the way out of fail()
    const ExecStatusType status = PQresultStatus(raw);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(conn_, raw, first_line(sql));
    return result;
}

void Connection::exec_script(const char* sql) {
    PGresult* raw = PQexec(conn_, sql);
    const Result result(raw);
    const ExecStatusType status = PQresultStatus(raw);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(conn_, raw, first_line(sql));
}

Transaction::Transaction(Connection& connection, const char* begin) : connection_(connection) {
    connection_.exec_script(begin);
}

Transaction::~Transaction() {
    if (!done_ && connection_.healthy()) {
        PQclear(PQexec(connection_.raw(), "ROLLBACK"));
    }
}

void Transaction::commit() {
    connection_.exec_script("COMMIT");
    done_ = true;
}

Pool::Pool(std::string conninfo, int size) : conninfo_(std::move(conninfo)) {
    for (int i = 0; i < size; ++i) idle_.push_back(std::make_unique<Connection>(conninfo_));
}

Pool::~Pool() = default;

Pool::Lease Pool::take() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [this] { return !idle_.empty(); });
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    lock.unlock();
    if (!connection->healthy()) connection->reset();
    return Lease(*this, std::move(connection));
}

void Pool::give(std::unique_ptr<Connection> connection) {
    {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(connection));
    }
    available_.notify_one();
}

Pool::Lease::~Lease() {
    if (connection_) pool_->give(std::move(connection_));
}

namespace {
constexpr const char* kSchemaLockKey = "hashtext(current_schema() || ':vikno-schema')";
}  // namespace

void lock_schema(Connection& db) {
    db.exec((std::string("SELECT pg_advisory_xact_lock(") + kSchemaLockKey + ")").c_str());
}

bool try_lock_schema(Connection& db) {
    return db.exec((std::string("SELECT pg_try_advisory_xact_lock(") + kSchemaLockKey + ")").c_str()).text(0, 0) == "t";
}

void compress_with_lz4(Connection& db, const std::string& table, const std::vector<std::string>& columns) {
    // attcompression 'l' is LZ4, '' the default (pglz unless default_toast_compression says otherwise).
    const auto missing = db.exec(
        "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attname = ANY($2::text[]) "
        "AND a.attcompression <> 'l' AND EXISTS (SELECT 1 FROM pg_settings WHERE name = "
        "'default_toast_compression' AND 'lz4' = ANY(enumvals))",
        Params().text(table).text_array(columns));
    if (missing.empty()) return;
    // Changes the catalog only: no rewrite of the table.
    std::string sql = "ALTER TABLE " + table;
    for (int row = 0; row < missing.rows(); ++row) {
        sql += (row > 0 ? ", " : " ") + std::string("ALTER COLUMN ") + missing.text(row, 0) + " SET COMPRESSION lz4";
    }
    db.exec_script(sql.c_str());
}

}  // namespace vikno::gateway::pg
