// Connection: RAII owner of one libpq connection and the only place that
// calls libpq's query, COPY and pipeline functions for the agent.  Every
// failure becomes a DatabaseError with a context naming what was attempted.
// Must not: log or store the conninfo (it may hold a password), or decide
// retry policy (callers look at DatabaseError::is_connection_error()).
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pg/copy_buffer.hpp"
#include "pg/result.hpp"

namespace tidemark::pg {

struct ConnectOptions {
    // replication=database: a walsender connection that also accepts SQL.
    bool replication = false;
    // Used only when the conninfo does not set application_name itself, so a
    // DBA's choice wins (libpq's fallback_application_name).
    std::string application_name = "tidemark";
    // Used only when the conninfo does not set connect_timeout.
    std::chrono::seconds connect_timeout{30};
    // For sessions whose statements are all short: a statement the server
    // has not answered within this long is taken as a lost connection (the
    // session is closed, exec* throws a class 08 error), so a network path
    // that went silent cannot hold the caller forever.  0: no limit.
    std::chrono::milliseconds reply_timeout{0};
};

// One query parameter as a view; the caller keeps the bytes alive until the
// call returns.  nullopt is SQL NULL.  Binary parameters are in the type's
// send format and need a parameter type (Oid here).
struct Param {
    std::optional<std::string_view> value;
    bool binary = false;
    Oid type = 0;
};

using TextParams = std::vector<std::optional<std::string>>;

enum class ResultFormat { text = 0, binary = 1 };

// What a read of COPY data produced.
enum class CopyStatus {
    data,     // buffer holds one row (COPY OUT) or one CopyData message (COPY BOTH)
    timeout,  // nothing arrived in time
    done,     // the server ended the COPY; result holds its final command result
};

struct CopyRead {
    CopyStatus status = CopyStatus::timeout;
    CopyBuffer buffer;
    Result result;
};

class Connection {
public:
    // Throws DatabaseError (class 08 SQLSTATE) when the connection fails.
    static Connection connect(const std::string& conninfo, const ConnectOptions& options = {});

    Connection() noexcept = default;
    explicit Connection(PGconn* conn) noexcept : conn_(conn) {}
    ~Connection();
    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    PGconn* native() const noexcept { return conn_; }
    bool is_ok() const noexcept;
    void close() noexcept;
    int server_version() const noexcept;
    // "TLS <protocol> <cipher>", or "not encrypted".
    std::string encryption() const;
    // The server process serving this connection (0 when not connected).
    int backend_pid() const noexcept;
    int socket() const noexcept;
    // A parameter the server reported at startup or on change (server_version,
    // server_encoding, integer_datetimes, ...); "" when unknown.
    std::string parameter_status(std::string_view name) const;
    // libpq's escaping, which knows the connection's encoding.
    std::string escape_identifier(std::string_view identifier) const;
    std::string escape_literal(std::string_view literal) const;

    // Simple-protocol query (may hold several statements; the last result
    // is returned).  `context` names what tidemark was doing, e.g. "while
    // creating slot tidemark_app"; when empty the start of the SQL is used.
    Result exec(std::string_view sql, std::string_view context = {});
    Result exec_params(std::string_view sql, const TextParams& params, std::string_view context = {},
                       ResultFormat format = ResultFormat::text);
    Result exec_params(std::string_view sql, std::span<const Param> params, std::string_view context = {},
                       ResultFormat format = ResultFormat::text);

    // COPY ... FROM STDIN: after exec() returned PGRES_COPY_IN.
    void put_copy_data(std::string_view data, std::string_view context = {});
    // Ends COPY IN and returns the command's result (throws on error).
    Result end_copy(std::string_view context = {});
    // Ends COPY IN with an error message so the server rolls the COPY back.
    void abort_copy(std::string_view reason) noexcept;
    // COPY ... TO STDOUT or COPY BOTH: waits up to `timeout` for one row.
    CopyRead get_copy_data(std::chrono::milliseconds timeout, std::string_view context = {});

    // Pipeline mode (libpq 14+).  Sending and reading are separate so the
    // caller can keep several statements in flight; get_result() returns a
    // null Result at the end of each statement's results and the
    // PGRES_PIPELINE_SYNC result for each sync point.
    void enter_pipeline();
    void exit_pipeline();
    void pipeline_sync();
    PGpipelineStatus pipeline_status() const noexcept;
    // Simple-protocol query sent without waiting (not in pipeline mode).
    void send_query(std::string_view sql);
    void send_query_params(std::string_view sql, std::span<const Param> params,
                           ResultFormat format = ResultFormat::text);
    void send_prepared(std::string_view name, std::span<const Param> params, ResultFormat format = ResultFormat::text);
    // Queues a Parse of `sql` as statement `name`, with the parameter types
    // `params` carry; its result (and the null after it) comes back in the
    // pipeline before the results of what was sent after it.
    void send_prepare(std::string_view name, std::string_view sql, std::span<const Param> params);
    // Next result without raising for SQL errors (the caller decides which
    // statement failed); throws only when the connection itself fails.
    Result get_result();
    // Waits up to `timeout` for the socket to be readable, then consumes
    // the input; false on timeout.  Throws DatabaseError when the
    // connection is lost.
    bool wait_readable(std::chrono::milliseconds timeout, std::string_view context = {});
    bool is_busy() const noexcept;
    void consume_input(std::string_view context = {});
    // Non-blocking sends; flush() returns true when everything was sent.
    void set_nonblocking(bool on);
    bool flush(std::string_view context = {});

    // Asks the server to cancel the running query; false if the request
    // could not be sent.
    bool cancel() noexcept;

    // Throws DatabaseError for an error result; otherwise returns it.
    Result check(Result result, std::string_view context) const;

private:
    std::string describe(std::string_view sql, std::string_view context) const;
    Result finish_results(std::string_view context);
    void require_open(std::string_view context) const;
    // The results of a statement just sent, as PQexec gives them, within
    // reply_timeout_.
    Result await_reply(std::string_view context);

    PGconn* conn_ = nullptr;
    std::chrono::milliseconds reply_timeout_{0};
};

}  // namespace tidemark::pg
