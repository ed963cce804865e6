// See state_version.hpp.
#include "state/state_version.hpp"

#include <optional>
#include <stdexcept>

#include "pg/transaction.hpp"

namespace tidemark::state {
namespace {

constexpr std::string_view kVersionColumns =
    "version, to_char(taken_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), reason, phase, origin_lsn, "
    "extract(epoch FROM now() - taken_at)::float8";

StateVersion read_version(const pg::Result& r, int row) {
    StateVersion v;
    v.version = std::stoll(std::string(r.value(row, 0)));
    v.taken_at = std::string(r.value(row, 1));
    v.reason = std::string(r.value(row, 2));
    v.phase = std::string(r.value(row, 3));
    if (auto lsn = r.optional_value(row, 4)) v.origin_lsn = pg::Lsn::parse(*lsn);
    v.age_seconds = std::stod(std::string(r.value(row, 5)));
    return v;
}

}  // namespace

StateVersion record_state_version(pg::Connection& conn, std::string_view pipeline, std::string_view reason, int keep,
                                  std::optional<pg::Lsn> origin_at_commit) {
    const std::string name(pipeline);
    const std::string what = "while recording a version of the state of pipeline " + name;
    // The row lock orders concurrent recorders of the same pipeline.
    pg::Result current = conn.exec_params(
        "SELECT p.state_version, EXISTS (SELECT 1 FROM tidemark.state_versions v "
        "WHERE v.pipeline = p.name AND v.version = p.state_version) "
        "FROM tidemark.pipelines p WHERE p.name = $1 FOR UPDATE",
        pg::TextParams{name}, what);
    if (current.rows() != 1)
        throw std::runtime_error("pipeline " + name + " has no row in tidemark.pipelines; no version can be taken");
    if (current.value(0, 1) == "t")
        conn.exec_params(
            "UPDATE tidemark.pipelines SET state_version = state_version + 1, updated_at = now() WHERE name = $1",
            pg::TextParams{name}, what);
    pg::Result inserted = conn.exec_params(
        "INSERT INTO tidemark.state_versions AS v "
        "(pipeline, version, reason, phase, origin_lsn, pipeline_row, tables, table_stats) "
        "SELECT p.name, p.state_version, $2, p.phase, "
        "CASE WHEN pg_catalog.pg_replication_origin_oid(p.origin_name) IS NOT NULL "
        "THEN GREATEST(pg_catalog.pg_replication_origin_progress(p.origin_name, false), $3::pg_lsn) END, "
        "pg_catalog.to_jsonb(p), "
        "coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(t) ORDER BY t.source_table) "
        "FROM tidemark.tables t WHERE t.pipeline = p.name), '[]'), "
        "coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(s) ORDER BY s.source_table) "
        "FROM tidemark.table_stats s WHERE s.pipeline = p.name), '[]') "
        "FROM tidemark.pipelines p WHERE p.name = $1 RETURNING " +
            std::string(kVersionColumns),
        pg::TextParams{name, std::string(reason),
                       origin_at_commit ? std::optional<std::string>(origin_at_commit->to_string()) : std::nullopt},
        what);
    conn.exec_params(
        "DELETE FROM tidemark.state_versions WHERE pipeline = $1 AND version NOT IN "
        "(SELECT version FROM tidemark.state_versions WHERE pipeline = $1 ORDER BY version DESC LIMIT $2::int)",
        pg::TextParams{name, std::to_string(keep)},
        "while dropping the versions of pipeline " + name + " older than the newest " + std::to_string(keep));
    return read_version(inserted, 0);
}

StateVersion take_state_version(pg::Connection& conn, std::string_view pipeline, std::string_view reason, int keep) {
    StateVersion v;
    pg::in_transaction(conn, "while taking a version of the state of pipeline " + std::string(pipeline),
                       [&] { v = record_state_version(conn, pipeline, reason, keep); });
    return v;
}

std::vector<StateVersion> load_state_versions(pg::Connection& conn, std::string_view pipeline) {
    pg::Result r = conn.exec_params("SELECT " + std::string(kVersionColumns) +
                                        " FROM tidemark.state_versions WHERE pipeline = $1 ORDER BY version DESC",
                                    pg::TextParams{std::string(pipeline)},
                                    "while reading the versions of pipeline " + std::string(pipeline));
    std::vector<StateVersion> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(read_version(r, i));
    return out;
}

std::optional<StateVersion> load_state_version(pg::Connection& conn, std::string_view pipeline, long long version) {
    pg::Result r =
        conn.exec_params("SELECT " + std::string(kVersionColumns) +
                             " FROM tidemark.state_versions WHERE pipeline = $1 AND version = $2::bigint",
                         pg::TextParams{std::string(pipeline), std::to_string(version)},
                         "while reading version " + std::to_string(version) + " of pipeline " + std::string(pipeline));
    if (r.rows() == 0) return std::nullopt;
    return read_version(r, 0);
}

}  // namespace tidemark::state
