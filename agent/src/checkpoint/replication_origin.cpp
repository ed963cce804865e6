// See replication_origin.hpp.
#include "checkpoint/replication_origin.hpp"

#include <cstdio>

#include "pg/timestamp.hpp"

namespace tidemark::checkpoint {
namespace {

// PostgreSQL's limit on origin names (MAX_RONAME_LEN) is 512 bytes; stay
// far below it and keep room for the suffix.
constexpr std::size_t kMaxNameBytes = 63;

// FNV-1a: stable across runs and platforms, which std::hash is not.
std::uint32_t fnv1a(std::string_view text) {
    std::uint32_t h = 2166136261u;
    for (char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619u;
    }
    return h;
}

}  // namespace

std::string origin_name_for(std::string_view pipeline) {
    std::string name = "tidemark_";
    bool changed = false;
    for (char c : pipeline) {
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        name += plain ? c : '_';
        changed |= !plain;
    }
    if (name.size() > kMaxNameBytes - 9) {
        name.resize(kMaxNameBytes - 9);
        changed = true;
    }
    if (changed) {
        char suffix[10];
        std::snprintf(suffix, sizeof suffix, "_%08x", fnv1a(pipeline));
        name += suffix;
    }
    return name;
}

bool ReplicationOrigin::exists(pg::Connection& conn) const {
    pg::Result r = conn.exec_params("SELECT pg_catalog.pg_replication_origin_oid($1) IS NOT NULL",
                                    pg::TextParams{name_}, "while looking up replication origin " + name_);
    return r.value(0, 0) == "t";
}

void ReplicationOrigin::create_if_missing(pg::Connection& conn) const {
    conn.exec_params(
        "SELECT pg_catalog.pg_replication_origin_create($1) WHERE pg_catalog.pg_replication_origin_oid($1) IS NULL",
        pg::TextParams{name_}, "while creating replication origin " + name_ + " on the target");
}

bool ReplicationOrigin::drop_if_exists(pg::Connection& conn) const {
    if (!exists(conn)) return false;
    conn.exec_params("SELECT pg_catalog.pg_replication_origin_drop($1)", pg::TextParams{name_},
                     "while dropping replication origin " + name_ + " on the target");
    return true;
}

std::optional<pg::Lsn> ReplicationOrigin::progress(pg::Connection& conn) const {
    pg::Result r = conn.exec_params(
        "SELECT CASE WHEN pg_catalog.pg_replication_origin_oid($1) IS NOT NULL "
        "THEN pg_catalog.pg_replication_origin_progress($1, true) END",
        pg::TextParams{name_}, "while reading the progress of replication origin " + name_);
    auto v = r.optional_value(0, 0);
    if (!v) return std::nullopt;
    pg::Lsn lsn = pg::Lsn::parse(*v);
    if (!lsn.is_valid()) return std::nullopt;
    return lsn;
}

void ReplicationOrigin::advance(pg::Connection& conn, pg::Lsn lsn) const {
    conn.exec_params("SELECT pg_catalog.pg_replication_origin_advance($1, $2::pg_lsn)",
                     pg::TextParams{name_, lsn.to_string()},
                     "while advancing replication origin " + name_ + " to " + lsn.to_string());
}

void ReplicationOrigin::setup_session(pg::Connection& conn) const {
    conn.exec_params("SELECT pg_catalog.pg_replication_origin_session_setup($1)", pg::TextParams{name_},
                     "while binding the apply session to replication origin " + name_);
}

OriginStatement ReplicationOrigin::xact_setup(pg::Lsn end_lsn, std::int64_t commit_time) {
    return OriginStatement{"SELECT pg_catalog.pg_replication_origin_xact_setup($1::pg_lsn, $2::timestamptz)",
                           {end_lsn.to_string(), pg::format_timestamp(commit_time)}};
}

}  // namespace tidemark::checkpoint
