// See detection_report.hpp.
#include "conflict/detection_report.hpp"

#include "pg/timestamp.hpp"

namespace tidemark::conflict {
namespace {

// UTC, as the rest of the report prints times.
constexpr std::string_view kUtc = "to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";

std::string utc(const std::string& column) {
    std::string out(kUtc);
    return out.replace(out.find("%s"), 2, column);
}

std::vector<std::string> load(pg::Connection& target, const std::string& table, const std::string& object,
                              const std::string& pipeline, std::int64_t since, int limit) {
    pg::Result exists = target.exec_params("SELECT pg_catalog.to_regclass($1) IS NOT NULL", pg::TextParams{table},
                                           "while looking for " + table);
    if (exists.value(0, 0) != "t") return {};
    pg::Result r = target.exec_params(
        "SELECT " + object + "::text FROM " + table +
            " AS c WHERE c.pipeline = $1 AND c.detected_at >= $2::timestamptz ORDER BY c.id LIMIT $3::int",
        pg::TextParams{pipeline, pg::format_timestamp(since), std::to_string(limit)},
        "while reading this run's records from " + table + " for the report");
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.value(i, 0));
    return out;
}

}  // namespace

std::vector<std::string> load_reported_conflicts(pg::Connection& target, const std::string& pipeline,
                                                 std::int64_t since, int limit) {
    const std::string object =
        "jsonb_build_object('conflict_id', c.id, 'record_id', c.record_key, 'table', c.source_table, "
        "'conflict_type', c.kind, 'fields', to_jsonb(c.columns), 'sources', jsonb_build_array("
        "jsonb_build_object('source', c.source_origin, 'timestamp', " +
        utc("c.source_commit_time") +
        ", 'values', c.source_values), jsonb_build_object('source', c.target_origin, 'timestamp', " +
        utc("c.target_commit_time") +
        ", 'values', c.target_values)), 'resolution', c.strategy, 'outcome', c.resolution, 'resolved_value', "
        "c.resolved_values, 'status', c.status, 'detected_at', " +
        utc("c.detected_at") + ", 'resolved_at', " + utc("c.resolved_at") + ", 'resolved_by', c.resolved_by)";
    return load(target, "tidemark.conflicts", object, pipeline, since, limit);
}

std::vector<std::string> load_reported_late_arrivals(pg::Connection& target, const std::string& pipeline,
                                                     std::int64_t since, int limit) {
    const std::string object =
        "jsonb_build_object('record_id', c.record_key, 'table', c.source_table, 'operation', c.operation, "
        "'reason', c.reason, 'expected_timestamp', " +
        utc("c.expected_time") + ", 'actual_timestamp', " + utc("c.actual_time") +
        ", 'delay_seconds', extract(epoch FROM c.delay), 'applied', c.applied, 'handled', true)";
    return load(target, "tidemark.late_arrivals", object, pipeline, since, limit);
}

}  // namespace tidemark::conflict
