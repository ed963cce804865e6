// ReportRecord: the last sync report of each pipeline in tidemark.reports
// (layout 3), written at the end of every run and once a minute while one
// streams, read by `tidemark report`.
// Must not: interpret the report (sync/sync_report renders it).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pg/connection.hpp"

namespace tidemark::state {

struct StoredReport {
    std::string sync_id;
    std::string written_at;  // ISO 8601, UTC
    std::string report;      // JSON text
};

// Inserts or replaces the pipeline's report.
void store_report(pg::Connection& conn, std::string_view pipeline, std::string_view sync_id,
                  std::string_view report_json);

// nullopt when the pipeline has no report (or the table does not exist yet).
std::optional<StoredReport> load_report(pg::Connection& conn, std::string_view pipeline);

}  // namespace tidemark::state
