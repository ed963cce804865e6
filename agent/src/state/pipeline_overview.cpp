// See pipeline_overview.hpp.
#include "state/pipeline_overview.hpp"

#include <string>

#include "checkpoint/replication_origin.hpp"

namespace tidemark::state {
namespace {

bool relation_exists(pg::Connection& conn, std::string_view name) {
    pg::Result r = conn.exec_params("SELECT pg_catalog.to_regclass($1) IS NOT NULL", pg::TextParams{std::string(name)},
                                    "while looking for " + std::string(name));
    return r.value(0, 0) == "t";
}

}  // namespace

std::int64_t state_size(pg::Connection& target) {
    pg::Result r = target.exec(
        "SELECT coalesce(sum(pg_catalog.pg_total_relation_size(c.oid)), 0)::bigint "
        "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'tidemark' AND c.relkind IN ('r', 'p', 'm')",
        "while measuring the size of the tidemark schema");
    return std::stoll(std::string(r.value(0, 0)));
}

PipelineOverview read_pipeline_overview(pg::Connection& target, std::string_view pipeline, bool with_size) {
    PipelineOverview o;
    o.schema_exists = relation_exists(target, "tidemark.pipelines");
    if (!o.schema_exists) return o;
    o.pipeline = load_pipeline(target, pipeline);
    if (!o.pipeline) return o;
    o.tables = load_tables(target, pipeline);
    o.checkpoint_lsn = checkpoint::ReplicationOrigin(o.pipeline->origin_name).progress(target);
    pg::TextParams name{std::string(pipeline)};
    pg::Result last = target.exec_params(
        "SELECT (extract(epoch FROM max(last_commit_time)) * 1000000)::bigint - 946684800000000 "
        "FROM tidemark.table_stats WHERE pipeline = $1",
        name, "while reading the last applied commit of pipeline " + std::string(pipeline));
    if (!last.is_null(0, 0)) o.last_applied_commit_time = std::stoll(std::string(last.value(0, 0)));
    pg::Result dead = target.exec_params("SELECT count(*) FROM tidemark.dead_letters WHERE pipeline = $1", name,
                                         "while counting the dead letters of pipeline " + std::string(pipeline));
    o.dead_letters = std::stoll(std::string(dead.value(0, 0)));
    if (relation_exists(target, "tidemark.conflicts")) {
        pg::Result pending = target.exec_params(
            "SELECT count(*) FROM tidemark.conflicts WHERE pipeline = $1 AND status = 'pending'", name,
            "while counting the conflicts of pipeline " + std::string(pipeline) + " waiting for review");
        o.pending_reviews = std::stoll(std::string(pending.value(0, 0)));
    }
    if (with_size) o.state_bytes = state_size(target);
    return o;
}

}  // namespace tidemark::state
