#pragma once
// Thin RAII over libpq: connections, parameterised statements, transactions and a pool. Errors
// become exceptions carrying PostgreSQL's own message; a server out of disk space (SQLSTATE class
// 53, "insufficient resources": disk_full) becomes StorageFull, like SQLite's SQLITE_FULL.

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace vikno::gateway::pg {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Statement parameters, in order ($1, $2, ...); bytes go as binary (bytea), the rest as text.
class Params {
public:
    Params& text(std::string value);
    Params& integer(std::int64_t value);
    Params& bytes(std::string value);
    Params& null();
    /// A text[] literal ('{"a","b"}') of `values`, for a parameter cast to any array type.
    Params& text_array(const std::vector<std::string>& values);
    /// `values` as a text[] in binary form, for a `$n::text[]` parameter only. The server copies each
    /// value, where it scans and unescapes a literal byte by byte: with audit entries that carry the
    /// wire bytes, that scan (array_in) was 3 % of the machine's CPU under load.
    Params& binary_text_array(const std::vector<std::string>& values);

    int size() const { return static_cast<int>(values_.size()); }
    std::vector<const char*> pointers() const;
    std::vector<int> lengths() const;
    std::vector<int> formats() const;

private:
    std::vector<std::optional<std::string>> values_;
    std::vector<int> formats_;
};

/// One statement's rows (text format; bytea columns arrive hex-escaped: use bytes()).
class Result {
public:
    explicit Result(PGresult* result) : result_(result, &PQclear) {}
    int rows() const { return PQntuples(result_.get()); }
    bool empty() const { return rows() == 0; }
    std::string text(int row, int column) const;
    std::int64_t integer(int row, int column) const;
    bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
    std::string bytes(int row, int column) const;
    /// Rows an INSERT, UPDATE or DELETE touched.
    std::int64_t affected() const;

private:
    friend const PGresult* raw_of(const Result& result) { return result.result_.get(); }
    std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

class Connection {
public:
    /// Connects (libpq connection string or URI); throws Error naming the server's refusal. The
    /// session always uses generic plans for its prepared statements; `session` (statements without
    /// parameters, e.g. SET ...) runs after that, after connecting and after every reset().
    explicit Connection(const std::string& conninfo, std::string session = {});
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    Result exec(const char* sql, const Params& params = {});
    /// Several statements without parameters (schema, SET ...).
    void exec_script(const char* sql);
    bool healthy() const { return PQstatus(conn_) == CONNECTION_OK; }
    /// Reconnects a connection the server dropped (a restart, a failover).
    void reset();
    PGconn* raw() { return conn_; }

private:
    /// The name of `sql` prepared on this connection, preparing it the first time.
    const std::string& prepared(const char* sql, int parameters);
    PGconn* conn_ = nullptr;
    std::string session_;
    std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
};

/// BEGIN ... COMMIT; rolls back when destroyed without commit().
class Transaction {
public:
    explicit Transaction(Connection& connection, const char* begin = "BEGIN");
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Connection& connection_;
    bool done_ = false;
};

/// Takes, in `db`'s open transaction, the advisory lock of this deployment's schema, held by whoever
/// creates or upgrades its tables, one at a time. Advisory locks are per database: the key names the
/// schema, so that deployments in schemas of one database do not wait for each other.
void lock_schema(Connection& db);
/// The same lock if nobody holds it: false when another has it.
bool try_lock_schema(Connection& db);
/// Has new values of `columns` of `table` (wire bytes, submissions, audit entries) compressed with
/// LZ4 instead of the default pglz, which cost the server more CPU than any statement of a case
/// (docs/performance.md), when the server has LZ4 and the columns do not use it yet. Values stored
/// before stay as they are, readable. Run under the schema's lock.
void compress_with_lz4(Connection& db, const std::string& table, const std::vector<std::string>& columns);

/// A fixed number of connections, each used by one caller at a time (libpq connections are not
/// thread-safe). A connection found broken is reset before it is handed out again.
class Pool {
public:
    Pool(std::string conninfo, int size);
    ~Pool();

    class Lease {
    public:
        Lease(Pool& pool, std::unique_ptr<Connection> connection) : pool_(&pool), connection_(std::move(connection)) {}
        ~Lease();
        Lease(Lease&& other) noexcept = default;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Lease& operator=(Lease&&) = delete;
        Connection& operator*() { return *connection_; }
        Connection* operator->() { return connection_.get(); }

    private:
        Pool* pool_;
        std::unique_ptr<Connection> connection_;
    };
    Lease take();
    const std::string& conninfo() const { return conninfo_; }

private:
    void give(std::unique_ptr<Connection> connection);
    std::string conninfo_;
    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace vikno::gateway::pg
