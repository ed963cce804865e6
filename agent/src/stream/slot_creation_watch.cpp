// See slot_creation_watch.hpp.
#include "stream/slot_creation_watch.hpp"

#include <chrono>
#include <exception>

#include "log/event.hpp"
#include "pg/connection.hpp"
#include "retry/stoppable_sleep.hpp"

namespace tidemark::stream {
namespace {

constexpr std::chrono::seconds kFirstReport{3};
constexpr std::chrono::seconds kReportEvery{30};

// The transactions the walsender waits on (pg_locks is readable by every
// role), with what pg_stat_activity shows of their sessions to this one.
constexpr std::string_view kBlockersSql = R"SQL(
SELECT h.pid, coalesce(a.usename, '?'), coalesce(a.application_name, '?'), coalesce(a.datname, '?'),
       coalesce(a.state, '?'), coalesce(pg_catalog.date_trunc('second', now() - a.xact_start)::text, '?')
  FROM pg_catalog.pg_locks w
  JOIN pg_catalog.pg_locks h
    ON h.locktype = 'transactionid' AND h.transactionid = w.transactionid AND h.granted
  LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = h.pid
 WHERE w.pid = $1 AND w.locktype = 'transactionid' AND NOT w.granted
 ORDER BY h.pid
)SQL";

std::string blockers(pg::Connection& conn, int walsender_pid) {
    pg::Result r = conn.exec_params(kBlockersSql, {std::to_string(walsender_pid)},
                                    "while looking for what the slot's creation waits for");
    std::string out;
    for (int row = 0; row < r.rows(); ++row) {
        if (!out.empty()) out += "; ";
        out += "pid " + std::string(r.value(row, 0)) + " (user " + std::string(r.value(row, 1)) + ", application " +
               std::string(r.value(row, 2)) + ", database " + std::string(r.value(row, 3)) + ", " +
               std::string(r.value(row, 4)) + ", transaction open for " + std::string(r.value(row, 5)) + ")";
    }
    return out;
}

}  // namespace

SlotCreationWatch::SlotCreationWatch(std::string conninfo, int walsender_pid, std::string slot)
    : conninfo_(std::move(conninfo)),
      walsender_pid_(walsender_pid),
      slot_(std::move(slot)),
      thread_([this](std::stop_token stop) { run(std::move(stop)); }) {}

void SlotCreationWatch::run(std::stop_token stop) {
    if (retry::sleep_unless_stopped(kFirstReport, stop)) return;
    pg::Connection conn;
    do {
        try {
            if (!conn.is_ok()) {
                pg::ConnectOptions options;
                options.application_name = "tidemark slot creation watch";
                conn = pg::Connection::connect(conninfo_, options);
            }
            std::string waiting_on = blockers(conn, walsender_pid_);
            // pg_locks shows every role's locks: no row means the server is
            // reading WAL towards the slot's start, not waiting.
            if (waiting_on.empty())
                log::info("still creating the replication slot", {{"slot", slot_}});
            else
                log::warn(
                    "creating the replication slot waits for the transactions open on the source to end (a "
                    "logical slot starts where none is open); end or commit them, or wait",
                    {{"slot", slot_}, {"waiting_on", waiting_on}});
        } catch (const std::exception& e) {
            log::debug("could not look for what the slot's creation waits for", {{"error", e.what()}});
            conn.close();
        }
    } while (!retry::sleep_unless_stopped(kReportEvery, stop));
}

}  // namespace tidemark::stream
