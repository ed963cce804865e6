// See pipeline_lock.hpp.
#include "sync/pipeline_lock.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>

#include "pg/database_error.hpp"

namespace tidemark::sync {
namespace {

// Probes after 10 s of silence, every 5 s, 3 unanswered ones end it; a
// write unacknowledged for 30 s ends it too.
constexpr int kKeepaliveIdle = 10;
constexpr int kKeepaliveInterval = 5;
constexpr int kKeepaliveCount = 3;
constexpr unsigned kUserTimeoutMs = 30000;

// libpq's keepalive settings, applied to the socket it opened: the
// conninfo is the user's and is left as written.
void set_client_keepalives(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (fd < 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return;
    if (address.ss_family != AF_INET && address.ss_family != AF_INET6) return;
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &kKeepaliveIdle, sizeof kKeepaliveIdle);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &kKeepaliveInterval, sizeof kKeepaliveInterval);
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &kKeepaliveCount, sizeof kKeepaliveCount);
    setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &kUserTimeoutMs, sizeof kUserTimeoutMs);
}

std::string host_name() {
    std::array<char, 256> name{};
    if (gethostname(name.data(), name.size() - 1) != 0) return "unknown host";
    return name.data();
}

}  // namespace

std::string pipeline_lock_keys(int param) {
    return std::to_string(kPipelineLockClass) + ", pg_catalog.hashtext('tidemark pipeline ' || $" +
           std::to_string(param) + ")";
}

bool try_lock_pipeline(pg::Connection& conn, std::string_view pipeline) {
    pg::Result r = conn.exec_params("SELECT pg_catalog.pg_try_advisory_lock(" + pipeline_lock_keys() + ")",
                                    pg::TextParams{std::string(pipeline)},
                                    "while taking the lock of pipeline " + std::string(pipeline));
    return r.value(0, 0) == "t";
}

void unlock_pipeline(pg::Connection& conn, std::string_view pipeline) {
    conn.exec_params("SELECT pg_catalog.pg_advisory_unlock(" + pipeline_lock_keys() + ")",
                     pg::TextParams{std::string(pipeline)},
                     "while releasing the lock of pipeline " + std::string(pipeline));
}

std::optional<LockHolder> lock_holder(pg::Connection& conn, std::string_view pipeline) {
    pg::Result r = conn.exec_params(
        "SELECT l.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), ''), "
        "coalesce(to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ'), '') "
        "FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.database = "
        "(SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) "
        "AND l.classid = " +
            std::to_string(kPipelineLockClass) +
            "::oid AND l.objid = pg_catalog.hashtext('tidemark pipeline ' || $1)::oid",
        pg::TextParams{std::string(pipeline)},
        "while looking for the agent that drives pipeline " + std::string(pipeline));
    if (r.rows() == 0) return std::nullopt;
    return LockHolder{std::stoi(std::string(r.value(0, 0))), std::string(r.value(0, 1)), std::string(r.value(0, 2)),
                      std::string(r.value(0, 3))};
}

std::string describe(const LockHolder& holder) {
    std::string out = "pid " + std::to_string(holder.pid);
    if (!holder.application_name.empty()) out += ", application_name \"" + holder.application_name + "\"";
    out += holder.client_addr.empty() ? std::string(", local connection") : ", from " + holder.client_addr;
    if (!holder.backend_start.empty()) out += ", connected since " + holder.backend_start;
    return out;
}

PipelineLock PipelineLock::connect(const std::string& conninfo, std::string pipeline) {
    pg::ConnectOptions o;
    // What the other agent's message names; a conninfo's own
    // application_name wins, as everywhere.
    o.application_name = "tidemark " + host_name() + " pid " + std::to_string(::getpid());
    PipelineLock lock;
    lock.conn_ = pg::Connection::connect(conninfo, o);
    lock.pipeline_ = std::move(pipeline);
    set_client_keepalives(lock.conn_.socket());
    // The server's side of the same: a session whose agent vanished ends
    // and frees the lock.  No idle timeout may end it between checks.
    lock.conn_.exec("SET tcp_keepalives_idle = " + std::to_string(kKeepaliveIdle) +
                        "; SET tcp_keepalives_interval = " + std::to_string(kKeepaliveInterval) +
                        "; SET tcp_keepalives_count = " + std::to_string(kKeepaliveCount) +
                        "; SET idle_session_timeout = 0; SET statement_timeout = 0",
                    "while preparing the lock connection of pipeline " + lock.pipeline_);
    return lock;
}

bool PipelineLock::try_take() {
    held_ = try_lock_pipeline(conn_, pipeline_);
    return held_;
}

bool PipelineLock::still_held() {
    if (!held_) return false;
    try {
        conn_.exec("SELECT 1", "while checking the lock connection of pipeline " + pipeline_);
        return true;
    } catch (const pg::DatabaseError&) {
        // A failed statement on a live session leaves the lock in place.
        held_ = conn_.is_ok();
        return held_;
    }
}

std::optional<LockHolder> PipelineLock::holder() { return lock_holder(conn_, pipeline_); }

void PipelineLock::release() noexcept {
    held_ = false;
    conn_.close();
}

}  // namespace tidemark::sync
