// See state_export.hpp.
#include "state/state_export.hpp"

#include <stdexcept>

#include "checkpoint/replication_origin.hpp"
#include "pg/database_error.hpp"
#include "pg/transaction.hpp"
#include "state/pipeline_record.hpp"
#include "state/state_schema.hpp"

namespace tidemark::state {
namespace {

// The rows of one state table as a JSON array, in a stable order.
std::string rows_of(std::string_view table, std::string_view where, std::string_view order) {
    return "coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(x) ORDER BY " + std::string(order) +
           ") FROM tidemark." + std::string(table) + " x WHERE " + std::string(where) + "), '[]')";
}

}  // namespace

std::optional<std::string> export_state(pg::Connection& target, std::string_view pipeline) {
    // One statement: one snapshot, so the rows agree with each other.
    pg::Result r = target.exec_params(
        "SELECT pg_catalog.jsonb_pretty(pg_catalog.jsonb_build_object("
        "'format', $2::text, 'format_version', $3::int, "
        "'layout', (SELECT max(version) FROM tidemark.state_format), "
        "'exported_at', now(), "
        "'pipeline', pg_catalog.to_jsonb(p), "
        "'origin', pg_catalog.jsonb_build_object('name', p.origin_name, 'progress', "
        "CASE WHEN pg_catalog.pg_replication_origin_oid(p.origin_name) IS NOT NULL "
        "THEN pg_catalog.pg_replication_origin_progress(p.origin_name, true) END), "
        "'tables', " +
            rows_of("tables", "x.pipeline = p.name", "x.source_table") + ", " + "'copy_chunks', " +
            rows_of("copy_chunks", "x.pipeline = p.name", "x.source_table, x.chunk") + ", " + "'table_stats', " +
            rows_of("table_stats", "x.pipeline = p.name", "x.source_table") + ", " + "'source_relations', " +
            rows_of("source_relations", "x.pipeline = p.name", "x.relid") + ", " + "'versions', " +
            rows_of("state_versions", "x.pipeline = p.name", "x.version") +
            ")) FROM tidemark.pipelines p WHERE p.name = $1",
        pg::TextParams{std::string(pipeline), std::string(kExportFormat), std::to_string(kExportFormatVersion)},
        "while exporting the state of pipeline " + std::string(pipeline));
    if (r.rows() == 0) return std::nullopt;
    return std::string(r.value(0, 0)) + "\n";
}

ExportHeader read_export_header(pg::Connection& target, const std::string& document) {
    pg::Result r;
    try {
        r = target.exec_params(
            "SELECT d->>'format', d->>'format_version', d->'pipeline'->>'name', d->'pipeline'->>'slot_name', "
            "d->'pipeline'->>'phase', d->'origin'->>'progress', "
            "pg_catalog.jsonb_array_length(coalesce(d->'tables', '[]')), "
            "pg_catalog.jsonb_array_length(coalesce(d->'versions', '[]')) "
            "FROM (SELECT $1::jsonb AS d) s",
            pg::TextParams{document}, "while reading the exported state");
    } catch (const pg::DatabaseError& e) {
        throw std::runtime_error(std::string("the file is not a JSON document of `tidemark state export`: ") +
                                 e.what());
    }
    auto text = [&](int col) { return std::string(r.optional_value(0, col).value_or("")); };
    if (text(0) != kExportFormat)
        throw std::runtime_error("the file is not a `tidemark state export` document (its \"format\" is \"" + text(0) +
                                 "\", not \"" + std::string(kExportFormat) + "\")");
    if (text(1) != std::to_string(kExportFormatVersion))
        throw std::runtime_error("the file has export format_version " + text(1) + "; this agent reads version " +
                                 std::to_string(kExportFormatVersion));
    ExportHeader h;
    h.pipeline = text(2);
    h.slot_name = text(3);
    h.phase = text(4);
    if (h.pipeline.empty() || h.slot_name.empty() || h.phase.empty())
        throw std::runtime_error("the exported state lacks its pipeline row (name, slot_name, phase)");
    if (auto lsn = r.optional_value(0, 5)) h.origin_lsn = pg::Lsn::parse(*lsn);
    h.tables = std::stoll(text(6));
    h.versions = std::stoll(text(7));
    return h;
}

StateVersion import_state(pg::Connection& target, const std::string& document, bool replace,
                          std::string_view source_name, int keep_versions) {
    ExportHeader h = read_export_header(target, document);
    const std::string what = "while importing the state of pipeline " + h.pipeline;
    StateVersion recorded;
    pg::in_transaction(target, what, [&] {
        if (replace) delete_pipeline_state(target, h.pipeline);
        const pg::TextParams doc{document};
        target.exec_params(
            "INSERT INTO tidemark.pipelines SELECT * FROM "
            "pg_catalog.jsonb_populate_record(NULL::tidemark.pipelines, $1::jsonb->'pipeline')",
            doc, what);
        for (std::string_view table : {"tables", "copy_chunks", "table_stats", "source_relations"})
            target.exec_params("INSERT INTO tidemark." + std::string(table) +
                                   " SELECT * FROM pg_catalog.jsonb_populate_recordset(NULL::tidemark." +
                                   std::string(table) + ", coalesce($1::jsonb->'" + std::string(table) + "', '[]'))",
                               doc, what);
        target.exec_params(
            "INSERT INTO tidemark.state_versions SELECT * FROM "
            "pg_catalog.jsonb_populate_recordset(NULL::tidemark.state_versions, coalesce($1::jsonb->'versions', "
            "'[]'))",
            doc, what);
        auto record = load_pipeline(target, h.pipeline);
        checkpoint::ReplicationOrigin origin(record->origin_name);
        if (h.origin_lsn) {
            origin.create_if_missing(target);
            origin.advance(target, *h.origin_lsn);
        } else {
            origin.drop_if_exists(target);
        }
        recorded = record_state_version(target, h.pipeline, "imported from " + std::string(source_name), keep_versions);
    });
    return recorded;
}

}  // namespace tidemark::state
