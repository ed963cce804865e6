// See report_record.hpp.
#include "state/report_record.hpp"

namespace tidemark::state {

void store_report(pg::Connection& conn, std::string_view pipeline, std::string_view sync_id,
                  std::string_view report_json) {
    conn.exec_params(
        "INSERT INTO tidemark.reports (pipeline, sync_id, written_at, report) VALUES ($1, $2, now(), $3::jsonb) "
        "ON CONFLICT (pipeline) DO UPDATE SET sync_id = excluded.sync_id, written_at = excluded.written_at, "
        "report = excluded.report",
        pg::TextParams{std::string(pipeline), std::string(sync_id), std::string(report_json)},
        "while storing the sync report of pipeline " + std::string(pipeline) + " in tidemark.reports");
}

std::optional<StoredReport> load_report(pg::Connection& conn, std::string_view pipeline) {
    pg::Result exists = conn.exec("SELECT pg_catalog.to_regclass('tidemark.reports') IS NOT NULL",
                                  "while looking for tidemark.reports");
    if (exists.value(0, 0) != "t") return std::nullopt;
    pg::Result r = conn.exec_params(
        "SELECT sync_id, to_char(written_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), report::text "
        "FROM tidemark.reports WHERE pipeline = $1",
        pg::TextParams{std::string(pipeline)}, "while reading the sync report of pipeline " + std::string(pipeline));
    if (r.rows() == 0) return std::nullopt;
    return StoredReport{std::string(r.value(0, 0)), std::string(r.value(0, 1)), std::string(r.value(0, 2))};
}

}  // namespace tidemark::state
