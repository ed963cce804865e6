// See session_fence.hpp.
#include "sync/session_fence.hpp"

#include <chrono>
#include <optional>
#include <regex>
#include <thread>

#include "checkpoint/copy_origin.hpp"
#include "checkpoint/replication_origin.hpp"
#include "log/event.hpp"
#include "pg/database_error.hpp"
#include "stream/slot_info.hpp"

namespace tidemark::sync {
namespace {

using std::chrono::milliseconds;

// How long a terminated session may take to go away.
constexpr milliseconds kGone{10000};
constexpr milliseconds kPoll{100};

// The session that has `origin` bound, learnt by binding it: PostgreSQL
// refuses with "replication origin with ID n is already active for PID p".
std::optional<int> origin_holder(pg::Connection& target, const std::string& origin) {
    try {
        target.exec_params("SELECT pg_catalog.pg_replication_origin_session_setup($1)", pg::TextParams{origin},
                           "while checking whether replication origin " + origin + " is free");
        target.exec("SELECT pg_catalog.pg_replication_origin_session_reset()",
                    "while releasing replication origin " + origin);
        return std::nullopt;
    } catch (const pg::DatabaseError& e) {
        if (e.is_connection_error()) throw;
        // 42704: no such origin yet, nothing to fence.
        if (e.sqlstate() != "55006") return std::nullopt;
        std::smatch m;
        static const std::regex pid(R"(PID (\d+))");
        if (std::regex_search(e.primary(), m, pid)) return std::stoi(m[1].str());
        return std::nullopt;
    }
}

std::string origin_of(pg::Connection& target, const std::string& pipeline) {
    pg::Result exists = target.exec("SELECT pg_catalog.to_regclass('tidemark.pipelines') IS NOT NULL",
                                    "while looking for tidemark's state on the target");
    if (exists.value(0, 0) == "t") {
        pg::Result r = target.exec_params("SELECT origin_name FROM tidemark.pipelines WHERE name = $1",
                                          pg::TextParams{pipeline}, "while reading the origin of " + pipeline);
        if (r.rows() > 0) return std::string(r.value(0, 0));
    }
    return checkpoint::origin_name_for(pipeline);
}

// Ends session `pid` on the server of `conn`; says who it was.
void terminate(pg::Connection& conn, int pid, const std::string& side, const std::string& what,
               const std::string& pipeline, bool left_by_this_agent) {
    pg::Result r = conn.exec_params(
        "SELECT coalesce(application_name, ''), coalesce(host(client_addr), 'local'), "
        "coalesce(usename::text, ''), pg_catalog.pg_terminate_backend(pid) "
        "FROM pg_catalog.pg_stat_activity WHERE pid = $1::int",
        pg::TextParams{std::to_string(pid)}, "while ending the session that holds " + what);
    if (r.rows() == 0) return;
    const std::string whose = left_by_this_agent ? "that pipeline " + pipeline + "'s failed stream session left behind"
                                                 : "of a previous driver of pipeline " + pipeline;
    log::warn("ended the " + side + " session " + whose + ": it still held " + what +
                  (left_by_this_agent ? "" : " while this agent holds the pipeline's lock"),
              {{"pipeline", pipeline},
               {"pid", std::to_string(pid)},
               {"application_name", std::string(r.value(0, 0))},
               {"client", std::string(r.value(0, 1))},
               {"user", std::string(r.value(0, 2))},
               {"terminated", r.value(0, 3) == "t" ? "yes" : "no"}});
}

template <typename Held>
void wait_gone(Held held) {
    auto until = std::chrono::steady_clock::now() + kGone;
    while (held() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(kPoll);
}

// `only`: end the holder only if it is that process.
void fence_origin(pg::Connection& target, const std::string& origin, const std::string& pipeline,
                  std::optional<int> only = std::nullopt) {
    auto pid = origin_holder(target, origin);
    if (!pid || (only && *pid != *only)) return;
    terminate(target, *pid, "target", "replication origin " + origin, pipeline, only.has_value());
    wait_gone([&] { return origin_holder(target, origin).has_value(); });
}

// The apply session's origin, and the copy jobs' origins: a copy job left
// behind would keep writing chunks, and the new driver's job of the same
// number could not bind its origin.
void fence_origins(pg::Connection& target, const std::string& pipeline) {
    const std::string origin = origin_of(target, pipeline);
    fence_origin(target, origin, pipeline);
    for (const std::string& copy : checkpoint::copy_origin_names(target, origin)) fence_origin(target, copy, pipeline);
}

void fence_slot(const config::Config& config, const std::string& slot, const std::string& pipeline,
                std::optional<int> only = std::nullopt) {
    pg::Connection source = pg::Connection::connect(config.source.conninfo);
    auto info = stream::slot_info(source, slot);
    // A slot of another plugin is not a tidemark pipeline's: the start
    // refuses it with its own message.
    if (!info || info->plugin != "tidemark" || !info->active || !info->active_pid) return;
    if (only && *info->active_pid != *only) return;
    terminate(source, *info->active_pid, "source", "replication slot " + slot, pipeline, only.has_value());
    wait_gone([&] {
        auto now = stream::slot_info(source, slot);
        return now && now->active;
    });
}

}  // namespace

void fence_previous_driver(const config::Config& config, pg::Connection& target, const std::string& pipeline) {
    try {
        fence_origins(target, pipeline);
    } catch (const pg::DatabaseError& e) {
        if (e.is_connection_error()) throw;
        log::warn("could not check whether another session holds the pipeline's replication origin",
                  {{"pipeline", pipeline}, {"error", e.what()}});
    }
    try {
        fence_slot(config, config.source.slot, pipeline);
    } catch (const pg::DatabaseError& e) {
        log::warn("could not check whether another session holds the pipeline's replication slot",
                  {{"pipeline", pipeline}, {"error", e.what()}});
    }
}

void fence_abandoned_sessions(const config::Config& config, const state::PipelineRecord& pipeline,
                              AbandonedSessions& left) {
    if (left.walsender_pid) {
        fence_slot(config, pipeline.slot_name, pipeline.name, left.walsender_pid);
        left.walsender_pid.reset();
    }
    if (left.apply_pid) {
        pg::Connection target = pg::Connection::connect(config.target.conninfo);
        fence_origin(target, pipeline.origin_name, pipeline.name, left.apply_pid);
        left.apply_pid.reset();
    }
}

}  // namespace tidemark::sync
