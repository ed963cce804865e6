// See report_command.hpp.  The summary is read out of the stored jsonb by
// the target itself, so the agent needs no JSON parser for it.
#include "cli/report_command.hpp"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "cli/exit_codes.hpp"
#include "pg/connection.hpp"
#include "state/report_record.hpp"
#include "sync/pipeline_startup.hpp"

namespace tidemark::cli {
namespace {

pg::Connection connect(const std::string& conninfo) {
    pg::ConnectOptions options;
    options.application_name = "tidemark report";
    options.connect_timeout = std::chrono::seconds(10);
    return pg::Connection::connect(conninfo, options);
}

void print_summary(pg::Connection& target, const std::string& pipeline, const state::StoredReport& stored,
                   std::ostream& out) {
    pg::TextParams name{pipeline};
    pg::Result m = target.exec_params(
        "SELECT report #>> '{metadata,status}', report #>> '{metadata,started_at}', "
        "report #>> '{metadata,completed_at}', report #>> '{metadata,duration_seconds}', "
        "report #>> '{statistics,records_processed}', report #>> '{statistics,records_inserted}', "
        "report #>> '{statistics,records_updated}', report #>> '{statistics,records_deleted}', "
        "report #>> '{statistics,rows_copied}', report #>> '{statistics,transactions_applied}', "
        "report #>> '{statistics,conflicts_detected}', report #>> '{statistics,errors}', "
        "report #>> '{checkpoint,applied_lsn}', report #>> '{checkpoint,last_sync_timestamp}', "
        "report #>> '{checkpoint,state_version}', "
        "coalesce(jsonb_array_length(report -> 'errors'), 0), coalesce(jsonb_array_length(report -> 'warnings'), 0) "
        "FROM tidemark.reports WHERE pipeline = $1",
        name, "while summarising the sync report of pipeline " + pipeline);
    if (m.rows() == 0) return;
    auto v = [&](int col) { return m.is_null(0, col) ? std::string("-") : std::string(m.value(0, col)); };
    out << "pipeline " << pipeline << ": sync " << stored.sync_id << ", " << v(0) << "\n";
    out << "  report written     " << stored.written_at << "\n";
    out << "  started            " << v(1) << "\n";
    out << "  completed          " << v(2) << " (" << v(3) << " s)\n";
    out << "  records processed  " << v(4) << " (inserted " << v(5) << ", updated " << v(6) << ", deleted " << v(7)
        << ")\n";
    out << "  rows copied        " << v(8) << "\n";
    out << "  transactions       " << v(9) << "\n";
    out << "  conflicts          " << v(10) << "\n";
    out << "  errors             " << v(11) << " (" << v(15) << " listed), warnings " << v(16) << "\n";
    out << "  checkpoint         " << v(12) << ", last change committed at " << v(13) << ", state version " << v(14)
        << "\n";
    pg::Result tables = target.exec_params(
        "SELECT t ->> 'table', t ->> 'status', t ->> 'records_processed', t ->> 'rows_copied', "
        "t ->> 'last_sync_timestamp' FROM tidemark.reports, jsonb_array_elements(report -> 'tables') t "
        "WHERE pipeline = $1",
        name, "while listing the tables of the sync report of pipeline " + pipeline);
    if (tables.rows() > 0) {
        out << "  tables:\n";
        for (int i = 0; i < tables.rows(); ++i) {
            auto t = [&](int col) {
                return tables.is_null(i, col) ? std::string("-") : std::string(tables.value(i, col));
            };
            out << fmt::format("    {:<30}  {:<10}  {:>10} processed  {:>10} copied  last change {}\n", t(0), t(1),
                               t(2), t(3), t(4));
        }
    }
    pg::Result notes = target.exec_params(
        "SELECT 'error', coalesce(e ->> 'error', e::text) FROM tidemark.reports, "
        "jsonb_array_elements(report -> 'errors') WITH ORDINALITY AS x(e, n) WHERE pipeline = $1 AND n <= 5 "
        "UNION ALL SELECT 'warning', w #>> '{}' FROM tidemark.reports, "
        "jsonb_array_elements(report -> 'warnings') WITH ORDINALITY AS y(w, n) WHERE pipeline = $1 AND n <= 5",
        name, "while listing the errors and warnings of the sync report of pipeline " + pipeline);
    for (int i = 0; i < notes.rows(); ++i) out << "  " << notes.value(i, 0) << ": " << notes.value(i, 1) << "\n";
}

}  // namespace

int run_report(const config::Config& config, const ViewOptions& options, std::ostream& out, std::ostream& err) {
    pg::Connection target = connect(config.target.conninfo);
    std::vector<std::string> names;
    auto pipelines = config::pipelines_by_priority(config);
    for (const auto& p : pipelines)
        names.push_back(sync::pipeline_name(config.pipelines.empty() ? config : config::config_for(config, p)));
    int code = kExitDone;
    std::vector<std::string> reports;
    for (std::size_t i = 0; i < names.size(); ++i) {
        auto stored = state::load_report(target, names[i]);
        if (!stored) {
            err << "tidemark: no sync report is stored for pipeline " << names[i]
                << " on the target yet; one is written when tidemark sync ends and every minute while it streams\n";
            code = kExitFailure;
            continue;
        }
        if (options.json) {
            pg::Result pretty =
                target.exec_params("SELECT jsonb_pretty(report) FROM tidemark.reports WHERE pipeline = $1",
                                   pg::TextParams{names[i]}, "while reading the sync report");
            reports.push_back(pretty.rows() ? std::string(pretty.value(0, 0)) : stored->report);
        } else {
            if (i) out << "\n";
            print_summary(target, names[i], *stored, out);
        }
    }
    if (options.json && !reports.empty()) {
        // One pipeline: its report; several: an array of them.
        if (names.size() == 1) {
            out << reports.front() << "\n";
        } else {
            out << "[\n";
            for (std::size_t i = 0; i < reports.size(); ++i)
                out << reports[i] << (i + 1 < reports.size() ? ",\n" : "\n");
            out << "]\n";
        }
    }
    return code;
}

}  // namespace tidemark::cli
