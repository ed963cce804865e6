// See copy_origin.hpp.
#include "checkpoint/copy_origin.hpp"

#include <chrono>

#include "checkpoint/replication_origin.hpp"
#include "pg/database_error.hpp"
#include "retry/stoppable_sleep.hpp"

namespace tidemark::checkpoint {
namespace {

// ERRCODE_OBJECT_IN_USE: "replication origin with ID n is already active
// for PID m".
constexpr std::string_view kObjectInUse = "55006";
// ERRCODE_CONFIGURATION_LIMIT_EXCEEDED: "could not find free replication
// state slot for replication origin with ID n".
constexpr std::string_view kLimitExceeded = "53400";

// How long a bind waits for this job's previous backend to let go of the
// origin: a backend ends within moments of losing its client.
constexpr std::chrono::milliseconds kInUseWait{30000};
constexpr std::chrono::milliseconds kInUseInterval{200};

}  // namespace

std::string copy_origin_name(std::string_view pipeline, int job) {
    return origin_name_for(pipeline) + "_copy" + std::to_string(job);
}

void bind_copy_origin(pg::Connection& conn, const std::string& name, int copy_jobs, std::stop_token stop) {
    ReplicationOrigin origin(name);
    origin.create_if_missing(conn);
    auto deadline = std::chrono::steady_clock::now() + kInUseWait;
    for (;;) {
        try {
            conn.exec_params("SELECT pg_catalog.pg_replication_origin_session_setup($1)", pg::TextParams{name},
                             "while binding a copy session to replication origin " + name);
            return;
        } catch (const pg::DatabaseError& e) {
            if (e.sqlstate() == kLimitExceeded) {
                pg::Result r = conn.exec("SELECT current_setting('max_replication_slots')",
                                         "while reading max_replication_slots on the target");
                throw pg::DatabaseError(
                    e.sqlstate(),
                    "the target has no free replication origin state for copy origin " + name +
                        ": each pipeline needs one for its own origin and one per copy job (" +
                        std::to_string(copy_jobs + 1) +
                        " here), and max_replication_slots = " + std::string(r.value(0, 0)) +
                        " on the target bounds them all (subscriptions' origins and other pipelines' included); "
                        "raise max_replication_slots on the target and restart it, lower [sync] copy_jobs, or drop "
                        "the origins nothing uses any more (SELECT * FROM pg_replication_origin_status)",
                    e.detail(), e.hint(), e.context());
            }
            if (e.sqlstate() != kObjectInUse || std::chrono::steady_clock::now() >= deadline || stop.stop_requested())
                throw;
            retry::sleep_unless_stopped(kInUseInterval, stop);
        }
    }
}

void unbind_copy_origin(pg::Connection& conn) noexcept {
    if (!conn.is_ok()) return;
    try {
        conn.exec("SELECT pg_catalog.pg_replication_origin_session_reset()",
                  "while unbinding a copy session from its replication origin");
    } catch (const pg::DatabaseError&) {
        // The session's end unbinds it as well.
    }
}

std::optional<std::string> copy_origin_owner(std::string_view origin) {
    constexpr std::string_view kCopy = "_copy";
    std::size_t digits = 0;
    while (digits < origin.size() && origin[origin.size() - 1 - digits] >= '0' &&
           origin[origin.size() - 1 - digits] <= '9')
        ++digits;
    if (digits == 0 || origin.size() - digits < kCopy.size()) return std::nullopt;
    const std::size_t owner_size = origin.size() - digits - kCopy.size();
    if (origin.substr(owner_size, kCopy.size()) != kCopy) return std::nullopt;
    // "tidemark_" alone is no pipeline's origin: pipeline names are not empty.
    if (owner_size <= origin_name_for("").size()) return std::nullopt;
    return std::string(origin.substr(0, owner_size));
}

namespace {

// The copy origins of pipeline origin $1 (the SQL form of
// copy_origin_owner).  The name prefix is compared as text, not as a
// pattern: an origin name may hold '_', which LIKE would read as a
// wildcard.
constexpr std::string_view kCopyOriginsOf =
    "FROM pg_catalog.pg_replication_origin "
    "WHERE left(roname, length($1)) = $1 AND substr(roname, length($1) + 1) ~ '^_copy[0-9]+$'";

}  // namespace

std::vector<std::string> copy_origin_names(pg::Connection& conn, const std::string& pipeline_origin) {
    pg::Result r = conn.exec_params("SELECT roname " + std::string(kCopyOriginsOf) + " ORDER BY roname",
                                    pg::TextParams{pipeline_origin},
                                    "while listing the copy origins of replication origin " + pipeline_origin);
    std::vector<std::string> names;
    for (int i = 0; i < r.rows(); ++i) names.emplace_back(r.value(i, 0));
    return names;
}

int drop_copy_origins(pg::Connection& conn, const std::string& pipeline_origin) {
    pg::Result r = conn.exec_params(
        "SELECT pg_catalog.pg_replication_origin_drop(roname) " + std::string(kCopyOriginsOf),
        pg::TextParams{pipeline_origin}, "while dropping the copy origins of replication origin " + pipeline_origin);
    return r.rows();
}

}  // namespace tidemark::checkpoint
