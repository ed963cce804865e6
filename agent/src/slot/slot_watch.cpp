// See slot_watch.hpp.
#include "slot/slot_watch.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <exception>
#include <mutex>
#include <optional>
#include <stop_token>

#include "log/event.hpp"
#include "pg/connection.hpp"
#include "slot/heartbeat.hpp"
#include "slot/retention_alarm.hpp"
#include "slot/slot_usage.hpp"

namespace tidemark::slot {
namespace {

using Clock = std::chrono::steady_clock;

// Often enough to see WAL pile up long before a disk fills, rarely enough
// to cost the source nothing.
constexpr std::chrono::seconds kCheckInterval{10};

pg::Connection connect(const std::string& conninfo, std::chrono::milliseconds reply_timeout) {
    pg::ConnectOptions options;
    options.application_name = "tidemark";
    options.connect_timeout = std::chrono::seconds(10);
    options.reply_timeout = reply_timeout;
    pg::Connection conn = pg::Connection::connect(conninfo, options);
    // A watch that hangs on a busy source would hold up the stream's stop.
    conn.exec("SET statement_timeout = '10s'", "while preparing the slot watch connection");
    return conn;
}

std::string pretty(pg::Connection& conn, std::uint64_t bytes) {
    pg::Result r = conn.exec_params("SELECT pg_catalog.pg_size_pretty($1::bigint)",
                                    pg::TextParams{std::to_string(bytes)}, "while formatting a size");
    return std::string(r.value(0, 0));
}

void check_retention(pg::Connection& conn, const std::string& slot_name, const config::SlotConfig& settings,
                     RetentionAlarm& alarm, const SlotWatch::UsageListener& on_usage) {
    auto usage = slot_usage(conn, slot_name);
    if (!usage || !usage->retained_bytes) return;
    auto retained = static_cast<std::uint64_t>(std::max<std::int64_t>(*usage->retained_bytes, 0));
    if (on_usage) on_usage(static_cast<std::int64_t>(retained));
    RetentionVerdict verdict = alarm.check(retained);
    std::string lag = usage->lag_bytes ? std::to_string(*usage->lag_bytes) : std::string();
    if (verdict == RetentionVerdict::warn) {
        log::warn("slot " + slot_name + " retains " + usage->retained_pretty +
                      " of WAL on the source, more than warn_retained = " + pretty(conn, settings.warn_retained) +
                      "; the agent is behind the source: check that the target keeps up and look for errors above",
                  {{"slot", slot_name},
                   {"retained_bytes", std::to_string(retained)},
                   {"lag_bytes", lag},
                   {"warn_retained", std::to_string(settings.warn_retained)}});
    } else if (verdict == RetentionVerdict::alert) {
        log::error("ALERT: slot " + slot_name + " retains " + usage->retained_pretty +
                       " of WAL on the source, past max_retained = " + pretty(conn, *settings.max_retained) +
                       "; the source keeps that WAL until the agent confirms it. The agent is behind or stuck: "
                       "check that the target is reachable and accepts writes, and the errors above. tidemark "
                       "never drops the slot itself; dropping it (tidemark slot drop) frees the WAL but loses the "
                       "sync's position and means a new initial copy",
                   {{"slot", slot_name},
                    {"retained_bytes", std::to_string(retained)},
                    {"lag_bytes", lag},
                    {"max_retained", std::to_string(*settings.max_retained)}});
    }
}

}  // namespace

SlotWatch::SlotWatch(const config::Config& config, std::string slot_name, const std::atomic<long long>& applied,
                     UsageListener on_usage)
    : conninfo_(config.source.conninfo),
      reply_timeout_(config.source.receive_timeout),
      settings_(config.slot),
      slot_name_(std::move(slot_name)),
      applied_(applied),
      on_usage_(std::move(on_usage)),
      thread_([this](std::stop_token stop) { run(std::move(stop)); }) {}

void SlotWatch::run(std::stop_token stop) {
    RetentionAlarm alarm(settings_.warn_retained, settings_.max_retained);
    Heartbeat heartbeat(settings_.heartbeat);
    std::optional<pg::Connection> conn;
    // A stop ends a query in flight (shutdown() wakes libpq's wait on the
    // socket): a source that stopped answering must not hold up the end of
    // the stream session for the reply timeout.
    std::mutex socket_mutex;
    int socket = -1;
    std::stop_callback end_query(stop, [&] {
        std::lock_guard guard(socket_mutex);
        if (socket >= 0) ::shutdown(socket, SHUT_RDWR);
    });
    auto drop = [&] {
        std::lock_guard guard(socket_mutex);
        socket = -1;
        conn.reset();
    };
    bool failing = false;
    auto next_check = Clock::now();
    while (!stop.stop_requested()) {
        auto now = Clock::now();
        try {
            // A heartbeat waits for the session like the check does: after
            // a failure only the check's time brings the next attempt.
            const bool heartbeat_due = heartbeat.enabled() && !failing && now >= heartbeat.next_tick(now);
            if (now >= next_check || heartbeat_due) {
                if (!conn) {
                    pg::Connection opened = connect(conninfo_, reply_timeout_);
                    std::lock_guard guard(socket_mutex);
                    socket = opened.socket();
                    conn = std::move(opened);
                }
                if (now >= next_check) {
                    next_check = now + kCheckInterval;
                    check_retention(*conn, slot_name_, settings_, alarm, on_usage_);
                }
                if (heartbeat.enabled() && heartbeat.due(now, applied_.load())) heartbeat.emit(*conn);
                if (failing) log::info("the slot watch reaches the source again", {{"slot", slot_name_}});
                failing = false;
            }
        } catch (const std::exception& e) {
            // The stream notices a lost source by itself; the watch only
            // has to come back when the source does.
            drop();
            next_check = now + kCheckInterval;
            if (!failing && !stop.stop_requested())
                log::warn("could not check the replication slot; trying again every 10 seconds",
                          {{"slot", slot_name_}, {"error", e.what()}});
            failing = true;
        }
        auto wake_at = next_check;
        if (heartbeat.enabled() && !failing) wake_at = std::min(wake_at, heartbeat.next_tick(Clock::now()));
        std::unique_lock lock(mutex_);
        wake_.wait_until(lock, stop, std::max(wake_at, Clock::now() + std::chrono::milliseconds(50)),
                         [] { return false; });
    }
    drop();
}

}  // namespace tidemark::slot
