// See connection.hpp.
#include "pg/connection.hpp"

#include <poll.h>

#include <array>
#include <cerrno>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "pg/database_error.hpp"

namespace tidemark::pg {
namespace {

using Clock = std::chrono::steady_clock;

// Probes after 30 s without traffic, every 10 s; three unanswered end it.
constexpr const char* kKeepalivesIdle = "30";
constexpr const char* kKeepalivesInterval = "10";
constexpr const char* kKeepalivesCount = "3";

// Server notices (NOTICE, WARNING from the server) go to the log at debug
// level instead of libpq's default of printing on stderr.
void log_notice(void* /*arg*/, const char* message) {
    std::string_view text(message);
    while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    spdlog::debug("server notice: {}", text);
}

// Waits for the socket; returns false on timeout.
bool wait_socket(int fd, bool for_write, Clock::time_point deadline) {
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() < 0) left = std::chrono::milliseconds(0);
        pollfd p{fd, static_cast<short>(for_write ? (POLLIN | POLLOUT) : POLLIN), 0};
        int timeout = left.count() > 0x7fffffff ? 0x7fffffff : static_cast<int>(left.count());
        int rc = ::poll(&p, 1, timeout);
        if (rc > 0) return true;
        if (rc == 0) return false;
        if (errno != EINTR)
            throw DatabaseError(std::string(kConnectionFailure), "poll() on the connection socket failed", "", "",
                                "while waiting for the server", true);
    }
}

bool is_error(ExecStatusType status) {
    return status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR || status == PGRES_FATAL_ERROR ||
           status == PGRES_PIPELINE_ABORTED;
}

struct ParamArrays {
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    std::vector<Oid> types;
};

ParamArrays arrays(std::span<const Param> params) {
    ParamArrays a;
    a.values.reserve(params.size());
    a.lengths.reserve(params.size());
    a.formats.reserve(params.size());
    a.types.reserve(params.size());
    for (const Param& p : params) {
        a.values.push_back(p.value ? p.value->data() : nullptr);
        a.lengths.push_back(p.value ? static_cast<int>(p.value->size()) : 0);
        a.formats.push_back(p.binary ? 1 : 0);
        a.types.push_back(p.type);
    }
    return a;
}

std::vector<Param> from_text(const TextParams& params) {
    std::vector<Param> out;
    out.reserve(params.size());
    for (const auto& p : params) out.push_back(Param{p ? std::optional<std::string_view>(*p) : std::nullopt});
    return out;
}

}  // namespace

Connection Connection::connect(const std::string& conninfo, const ConnectOptions& options) {
    std::string timeout = std::to_string(options.connect_timeout.count());
    // Later entries override earlier ones and the expanded conninfo
    // overrides what precedes it: our defaults first, the user's conninfo,
    // then what the caller must have.
    //
    // TCP keepalives: a session waiting on a server whose host died or
    // whose network path was cut (a firewall that dropped the flow) learns
    // it after about a minute instead of the kernel's two hours, and the
    // run retries; a conninfo's own keepalives_* settings win.
    std::array<const char*, 8> keywords{
        "connect_timeout",           "keepalives_idle", "keepalives_interval", "keepalives_count",
        "fallback_application_name", "dbname",          "replication",         nullptr};
    std::array<const char*, 8> values{timeout.c_str(),
                                      kKeepalivesIdle,
                                      kKeepalivesInterval,
                                      kKeepalivesCount,
                                      options.application_name.c_str(),
                                      conninfo.c_str(),
                                      options.replication ? "database" : "false",
                                      nullptr};
    Connection conn(PQconnectdbParams(keywords.data(), values.data(), 1));
    if (!conn.conn_ || PQstatus(conn.conn_) != CONNECTION_OK)
        throw DatabaseError::from_connection(
            conn.conn_, options.replication ? "while opening a replication connection" : "while connecting");
    PQsetNoticeProcessor(conn.conn_, log_notice, nullptr);
    conn.reply_timeout_ = options.reply_timeout;
    return conn;
}

Connection::~Connection() { close(); }

Connection::Connection(Connection&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)), reply_timeout_(other.reply_timeout_) {}

Connection& Connection::operator=(Connection&& other) noexcept {
    if (this != &other) {
        close();
        conn_ = std::exchange(other.conn_, nullptr);
        reply_timeout_ = other.reply_timeout_;
    }
    return *this;
}

void Connection::close() noexcept {
    if (conn_) PQfinish(std::exchange(conn_, nullptr));
}

bool Connection::is_ok() const noexcept { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

int Connection::server_version() const noexcept { return conn_ ? PQserverVersion(conn_) : 0; }

int Connection::socket() const noexcept { return conn_ ? PQsocket(conn_) : -1; }

int Connection::backend_pid() const noexcept { return conn_ ? PQbackendPID(conn_) : 0; }

std::string Connection::encryption() const {
    if (!conn_ || !PQsslInUse(conn_)) return "not encrypted";
    auto attribute = [&](const char* name) {
        const char* v = PQsslAttribute(conn_, name);
        return std::string(v ? v : "?");
    };
    return "TLS " + attribute("protocol") + " " + attribute("cipher");
}

std::string Connection::parameter_status(std::string_view name) const {
    const char* v = conn_ ? PQparameterStatus(conn_, std::string(name).c_str()) : nullptr;
    return v ? std::string(v) : std::string();
}

void Connection::require_open(std::string_view context) const {
    if (!conn_)
        throw DatabaseError(std::string(kConnectionDoesNotExist), "the connection is closed", "", "",
                            std::string(context), true);
}

std::string Connection::escape_identifier(std::string_view identifier) const {
    require_open("while quoting an identifier");
    char* quoted = PQescapeIdentifier(conn_, identifier.data(), identifier.size());
    if (!quoted) throw DatabaseError::from_connection(conn_, "while quoting an identifier");
    std::string out(quoted);
    PQfreemem(quoted);
    return out;
}

std::string Connection::escape_literal(std::string_view literal) const {
    require_open("while quoting a literal");
    char* quoted = PQescapeLiteral(conn_, literal.data(), literal.size());
    if (!quoted) throw DatabaseError::from_connection(conn_, "while quoting a literal");
    std::string out(quoted);
    PQfreemem(quoted);
    return out;
}

std::string Connection::describe(std::string_view sql, std::string_view context) const {
    if (!context.empty()) return std::string(context);
    std::string text = "while running \"";
    bool space = false;
    std::size_t n = 0;
    for (char c : sql) {
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = n > 0;
            continue;
        }
        if (space) text += ' ';
        space = false;
        text += c;
        if (++n >= 80) {
            text += "...";
            break;
        }
    }
    return text + "\"";
}

Result Connection::check(Result result, std::string_view context) const {
    if (!result || is_error(result.status()))
        throw DatabaseError::from_result(result.native(), conn_, std::string(context));
    return result;
}

Result Connection::await_reply(std::string_view context) {
    const auto deadline = Clock::now() + reply_timeout_;
    auto wait = [&](bool for_write) {
        if (wait_socket(PQsocket(conn_), for_write, deadline)) return;
        close();
        throw DatabaseError(
            std::string(kConnectionFailure),
            "the server did not answer within " +
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(reply_timeout_).count()) +
                " s; taking the connection as lost",
            "", "", std::string(context), true);
    };
    while (PQflush(conn_) == 1) wait(true);
    Result last;
    for (;;) {
        while (PQisBusy(conn_)) {
            wait(false);
            consume_input(context);
        }
        Result r(PQgetResult(conn_));
        if (!r) break;
        const ExecStatusType status = r.status();
        last = std::move(r);
        if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH ||
            PQstatus(conn_) == CONNECTION_BAD)
            break;
    }
    return last;
}

Result Connection::exec(std::string_view sql, std::string_view context) {
    std::string what = describe(sql, context);
    require_open(what);
    if (reply_timeout_.count() > 0) {
        if (PQsendQuery(conn_, std::string(sql).c_str()) != 1) throw DatabaseError::from_connection(conn_, what);
        return check(await_reply(what), what);
    }
    return check(Result(PQexec(conn_, std::string(sql).c_str())), what);
}

Result Connection::exec_params(std::string_view sql, const TextParams& params, std::string_view context,
                               ResultFormat format) {
    auto views = from_text(params);
    return exec_params(sql, std::span<const Param>(views), context, format);
}

Result Connection::exec_params(std::string_view sql, std::span<const Param> params, std::string_view context,
                               ResultFormat format) {
    std::string what = describe(sql, context);
    require_open(what);
    ParamArrays a = arrays(params);
    if (reply_timeout_.count() > 0) {
        if (PQsendQueryParams(conn_, std::string(sql).c_str(), static_cast<int>(params.size()), a.types.data(),
                              a.values.data(), a.lengths.data(), a.formats.data(), static_cast<int>(format)) != 1)
            throw DatabaseError::from_connection(conn_, what);
        return check(await_reply(what), what);
    }
    return check(Result(PQexecParams(conn_, std::string(sql).c_str(), static_cast<int>(params.size()), a.types.data(),
                                     a.values.data(), a.lengths.data(), a.formats.data(), static_cast<int>(format))),
                 what);
}

void Connection::put_copy_data(std::string_view data, std::string_view context) {
    std::string_view what = context.empty() ? std::string_view("while sending COPY data") : context;
    require_open(what);
    for (;;) {
        int rc = PQputCopyData(conn_, data.data(), static_cast<int>(data.size()));
        if (rc == 1) return;
        if (rc < 0) throw DatabaseError::from_connection(conn_, std::string(what));
        // Non-blocking mode and libpq's buffer is full: let it drain.
        if (!flush(what)) wait_socket(PQsocket(conn_), true, Clock::now() + std::chrono::seconds(1));
    }
}

Result Connection::finish_results(std::string_view context) {
    Result last;
    std::optional<DatabaseError> error;
    for (;;) {
        Result r(PQgetResult(conn_));
        if (!r) break;
        ExecStatusType st = r.status();
        if (st == PGRES_COPY_IN || st == PGRES_COPY_BOTH) {
            // The server ended its half of a COPY BOTH: end ours too.
            if (PQputCopyEnd(conn_, nullptr) < 0 || PQflush(conn_) < 0)
                throw DatabaseError::from_connection(conn_, std::string(context));
            continue;
        }
        if (st == PGRES_COPY_OUT) {
            // We ended our half of a COPY BOTH first: what the server still
            // sends before its own end is of no use any more.
            char* buffer = nullptr;
            int rc;
            while ((rc = PQgetCopyData(conn_, &buffer, 0)) > 0) PQfreemem(buffer);
            if (rc == -2) throw DatabaseError::from_connection(conn_, std::string(context));
            continue;
        }
        if (is_error(st)) {
            if (!error) error = DatabaseError::from_result(r.native(), conn_, std::string(context));
            if (PQstatus(conn_) == CONNECTION_BAD) break;
            continue;
        }
        last = std::move(r);
    }
    if (error) throw *error;
    if (PQstatus(conn_) == CONNECTION_BAD) throw DatabaseError::from_connection(conn_, std::string(context));
    return last;
}

Result Connection::end_copy(std::string_view context) {
    std::string_view what = context.empty() ? std::string_view("while ending COPY") : context;
    require_open(what);
    for (;;) {
        int rc = PQputCopyEnd(conn_, nullptr);
        if (rc == 1) break;
        if (rc < 0) throw DatabaseError::from_connection(conn_, std::string(what));
        if (!flush(what)) wait_socket(PQsocket(conn_), true, Clock::now() + std::chrono::seconds(1));
    }
    while (!flush(what)) wait_socket(PQsocket(conn_), true, Clock::now() + std::chrono::seconds(1));
    return finish_results(what);
}

void Connection::abort_copy(std::string_view reason) noexcept {
    if (!conn_) return;
    std::string text(reason);
    if (PQputCopyEnd(conn_, text.c_str()) < 0) return;
    PQflush(conn_);
    for (;;) {
        PGresult* r = PQgetResult(conn_);
        if (!r) break;
        PQclear(r);
        if (PQstatus(conn_) == CONNECTION_BAD) break;
    }
}

CopyRead Connection::get_copy_data(std::chrono::milliseconds timeout, std::string_view context) {
    std::string_view what = context.empty() ? std::string_view("while reading COPY data") : context;
    require_open(what);
    auto deadline = Clock::now() + timeout;
    for (;;) {
        char* buffer = nullptr;
        int rc = PQgetCopyData(conn_, &buffer, 1);
        if (rc > 0) return CopyRead{CopyStatus::data, CopyBuffer(buffer, static_cast<std::size_t>(rc)), Result()};
        if (rc == -1) return CopyRead{CopyStatus::done, CopyBuffer(), finish_results(what)};
        if (rc == -2) throw DatabaseError::from_connection(conn_, std::string(what));
        if (!wait_readable(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()), what))
            return CopyRead{CopyStatus::timeout, CopyBuffer(), Result()};
    }
}

bool Connection::wait_readable(std::chrono::milliseconds timeout, std::string_view context) {
    std::string_view what = context.empty() ? std::string_view("while waiting for the server") : context;
    require_open(what);
    bool pending_output = PQisnonblocking(conn_) && PQflush(conn_) == 1;
    if (!wait_socket(PQsocket(conn_), pending_output, Clock::now() + timeout)) return false;
    if (pending_output) flush(what);
    consume_input(what);
    return true;
}

void Connection::consume_input(std::string_view context) {
    require_open(context);
    if (PQconsumeInput(conn_) == 0)
        throw DatabaseError::from_connection(conn_,
                                             context.empty() ? "while reading from the server" : std::string(context));
}

bool Connection::is_busy() const noexcept { return conn_ && PQisBusy(conn_) != 0; }

void Connection::set_nonblocking(bool on) {
    require_open("while changing the connection's blocking mode");
    if (PQsetnonblocking(conn_, on ? 1 : 0) != 0)
        throw DatabaseError::from_connection(conn_, "while changing the connection's blocking mode");
}

bool Connection::flush(std::string_view context) {
    require_open(context);
    int rc = PQflush(conn_);
    if (rc < 0)
        throw DatabaseError::from_connection(conn_,
                                             context.empty() ? "while sending to the server" : std::string(context));
    return rc == 0;
}

void Connection::enter_pipeline() {
    require_open("while entering pipeline mode");
    if (PQenterPipelineMode(conn_) != 1) throw DatabaseError::from_connection(conn_, "while entering pipeline mode");
}

void Connection::exit_pipeline() {
    require_open("while leaving pipeline mode");
    if (PQexitPipelineMode(conn_) != 1) throw DatabaseError::from_connection(conn_, "while leaving pipeline mode");
}

void Connection::pipeline_sync() {
    require_open("while sending a pipeline sync");
    if (PQpipelineSync(conn_) != 1) throw DatabaseError::from_connection(conn_, "while sending a pipeline sync");
}

PGpipelineStatus Connection::pipeline_status() const noexcept {
    return conn_ ? PQpipelineStatus(conn_) : PQ_PIPELINE_OFF;
}

void Connection::send_query(std::string_view sql) {
    std::string what = describe(sql, {});
    require_open(what);
    if (PQsendQuery(conn_, std::string(sql).c_str()) != 1) throw DatabaseError::from_connection(conn_, what);
}

void Connection::send_query_params(std::string_view sql, std::span<const Param> params, ResultFormat format) {
    std::string what = describe(sql, {});
    require_open(what);
    ParamArrays a = arrays(params);
    if (PQsendQueryParams(conn_, std::string(sql).c_str(), static_cast<int>(params.size()), a.types.data(),
                          a.values.data(), a.lengths.data(), a.formats.data(), static_cast<int>(format)) != 1)
        throw DatabaseError::from_connection(conn_, what);
}

void Connection::send_prepared(std::string_view name, std::span<const Param> params, ResultFormat format) {
    std::string what = "while sending statement " + std::string(name);
    require_open(what);
    ParamArrays a = arrays(params);
    if (PQsendQueryPrepared(conn_, std::string(name).c_str(), static_cast<int>(params.size()), a.values.data(),
                            a.lengths.data(), a.formats.data(), static_cast<int>(format)) != 1)
        throw DatabaseError::from_connection(conn_, what);
}

void Connection::send_prepare(std::string_view name, std::string_view sql, std::span<const Param> params) {
    std::string what = "while preparing statement " + std::string(name);
    require_open(what);
    ParamArrays a = arrays(params);
    if (PQsendPrepare(conn_, std::string(name).c_str(), std::string(sql).c_str(), static_cast<int>(params.size()),
                      a.types.data()) != 1)
        throw DatabaseError::from_connection(conn_, what);
}

Result Connection::get_result() {
    require_open("while reading a result");
    Result r(PQgetResult(conn_));
    if (!r && PQstatus(conn_) == CONNECTION_BAD) throw DatabaseError::from_connection(conn_, "while reading a result");
    return r;
}

bool Connection::cancel() noexcept {
    if (!conn_) return false;
    PGcancel* handle = PQgetCancel(conn_);
    if (!handle) return false;
    std::array<char, 256> errbuf{};
    bool ok = PQcancel(handle, errbuf.data(), static_cast<int>(errbuf.size())) == 1;
    PQfreeCancel(handle);
    return ok;
}

}  // namespace tidemark::pg
