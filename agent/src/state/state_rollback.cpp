// See state_rollback.hpp.
#include "state/state_rollback.hpp"

#include <stdexcept>

#include "checkpoint/replication_origin.hpp"
#include "pg/transaction.hpp"
#include "state/pipeline_record.hpp"

namespace tidemark::state {

RollbackResult rollback_to_version(pg::Connection& target, std::string_view pipeline, const StateVersion& version,
                                   int keep_versions) {
    if (!version.origin_lsn)
        throw std::runtime_error("version " + std::to_string(version.version) +
                                 " holds no origin position (it was taken before streaming began); nothing to "
                                 "roll back to");
    const std::string name(pipeline);
    const pg::TextParams params{name, std::to_string(version.version)};
    const std::string what = "while rolling pipeline " + name + " back to version " + std::to_string(version.version);
    RollbackResult result;
    pg::in_transaction(target, what, [&] {
        pg::Result p = target.exec_params(
            "UPDATE tidemark.pipelines p SET phase = r.phase, consistent_point = r.consistent_point, "
            "slot_name = r.slot_name, origin_name = r.origin_name, startup_mode = r.startup_mode, "
            "slot_created_by_agent = r.slot_created_by_agent, updated_at = now() "
            "FROM tidemark.state_versions v, "
            "LATERAL pg_catalog.jsonb_populate_record(NULL::tidemark.pipelines, v.pipeline_row) r "
            "WHERE v.pipeline = $1 AND v.version = $2::bigint AND p.name = $1 RETURNING p.origin_name",
            params, what);
        if (p.rows() != 1)
            throw std::runtime_error("version " + std::to_string(version.version) + " of pipeline " + name +
                                     " disappeared during the rollback");
        const std::string version_tables =
            "SELECT r.* FROM tidemark.state_versions v, "
            "LATERAL pg_catalog.jsonb_populate_recordset(NULL::tidemark.tables, v.tables) r "
            "WHERE v.pipeline = $1 AND v.version = $2::bigint";
        target.exec_params(
            "DELETE FROM tidemark.tables t WHERE t.pipeline = $1 AND t.source_table NOT IN "
            "(SELECT x.source_table FROM (" +
                version_tables + ") x)",
            params, what);
        target.exec_params("INSERT INTO tidemark.tables " + version_tables +
                               " ON CONFLICT (pipeline, source_table) DO UPDATE SET "
                               "target_table = EXCLUDED.target_table, phase = EXCLUDED.phase, "
                               "high_water_mark = EXCLUDED.high_water_mark, source_rows = EXCLUDED.source_rows, "
                               "rows_copied = EXCLUDED.rows_copied, bytes_copied = EXCLUDED.bytes_copied, "
                               "started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at",
                           params, what);
        target.exec_params("DELETE FROM tidemark.table_stats WHERE pipeline = $1", pg::TextParams{name}, what);
        target.exec_params(
            "INSERT INTO tidemark.table_stats SELECT r.* FROM tidemark.state_versions v, "
            "LATERAL pg_catalog.jsonb_populate_recordset(NULL::tidemark.table_stats, v.table_stats) r "
            "WHERE v.pipeline = $1 AND v.version = $2::bigint",
            params, what);
        pg::Result keyless = target.exec_params(
            "SELECT t.target_table FROM tidemark.tables t WHERE t.pipeline = $1 "
            "AND pg_catalog.to_regclass(t.target_table) IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = pg_catalog.to_regclass(t.target_table) "
            "AND (i.indisprimary OR i.indisreplident)) ORDER BY 1",
            pg::TextParams{name}, what);
        for (int i = 0; i < keyless.rows(); ++i) result.keyless_tables.emplace_back(keyless.value(i, 0));
        // Last: moving an origin is not undone by a rollback of the
        // transaction, so nothing that could still fail comes after it
        // but the version's own row.
        checkpoint::ReplicationOrigin origin{std::string(p.value(0, 0))};
        origin.create_if_missing(target);
        origin.advance(target, *version.origin_lsn);
        result.recorded =
            record_state_version(target, name, "rollback to version " + std::to_string(version.version), keep_versions);
    });
    return result;
}

}  // namespace tidemark::state
