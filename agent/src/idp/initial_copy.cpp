// See initial_copy.hpp.  The plan is made on one source connection in the
// snapshot (tables, types, sizes), the target is prepared and the tables'
// state reset in one transaction each, then copy_jobs workers share the
// chunks while this thread reports progress.
#include "idp/initial_copy.hpp"

#include <algorithm>
#include <set>
#include <thread>

#include "catalog/schema_error.hpp"
#include "catalog/source_sequence.hpp"
#include "catalog/table_pattern.hpp"
#include "catalog/target_schema.hpp"
#include "catalog/user_type.hpp"
#include "checkpoint/copy_origin.hpp"
#include "idp/chunk_plan.hpp"
#include "idp/copy_job.hpp"
#include "idp/copy_schedule.hpp"
#include "idp/copy_state.hpp"
#include "log/event.hpp"

namespace tidemark::idp {
namespace {

constexpr std::chrono::milliseconds kProgressInterval{200};

struct Plan {
    std::vector<TableWork> tables;
    std::vector<std::string> gone;  // only_tables no longer on the source
    std::string client_encoding;
};

Plan make_plan(const config::Config& config, const Snapshot& snapshot, const std::vector<std::string>& only_tables) {
    catalog::TableFilter filter(config.source.include, config.source.exclude);
    pg::Connection source = open_source_in_snapshot(config.source.conninfo, snapshot);
    Plan plan;
    plan.client_encoding = source.parameter_status("server_encoding");

    std::vector<catalog::SourceTable> tables = catalog::list_tables(source, filter);
    if (!only_tables.empty()) {
        std::set<std::string, std::less<>> wanted(only_tables.begin(), only_tables.end());
        std::erase_if(tables, [&](const catalog::SourceTable& t) { return !wanted.count(t.qualified()); });
        for (const auto& name : wanted)
            if (std::none_of(tables.begin(), tables.end(),
                             [&](const catalog::SourceTable& t) { return t.qualified() == name; }))
                plan.gone.push_back(name);
    }
    catalog::UserTypes types = catalog::list_user_types(source, tables);
    std::vector<catalog::SourceSequence> sequences;
    if (config.target.create_tables) sequences = catalog::list_sequences(source, filter, tables);

    bool tid_range_scans = source.server_version() >= 140000;
    std::vector<double> estimates = estimate_rows(source, tables);
    source.exec("COMMIT", "while ending the planning transaction");
    source.close();

    pg::Connection target = open_target(config.target.conninfo, plan.client_encoding);
    catalog::TargetPreparation prep;
    try {
        prep = catalog::prepare_target(target, tables, types, sequences, config.target.create_tables);
    } catch (const catalog::SchemaError& e) {
        // One exception type for "the copy cannot go on as configured".
        throw CopyError(e.what());
    }
    if (prep.schemas_created || prep.types_created || prep.sequences_created || prep.tables_created)
        log::info("created on the target what the copy needs", {{"schemas", std::to_string(prep.schemas_created)},
                                                                {"types", std::to_string(prep.types_created)},
                                                                {"sequences", std::to_string(prep.sequences_created)},
                                                                {"tables", std::to_string(prep.tables_created)}});
    for (std::size_t i = 0; i < tables.size(); ++i) {
        TableWork work;
        work.chunks = plan_chunks(tables[i].pages, estimates[i], config.sync.chunk_rows, tid_range_scans);
        work.estimated_rows = estimates[i];
        work.target = prep.tables[i];
        work.source = std::move(tables[i]);
        plan.tables.push_back(std::move(work));
    }
    return plan;
}

void reset_state(const config::Config& config, const std::string& pipeline, const Snapshot& snapshot,
                 const Plan& plan) {
    std::vector<TableNames> names;
    for (const auto& t : plan.tables)
        names.push_back(TableNames{t.source.qualified(), t.target.qualified, t.source.oid});
    for (const auto& g : plan.gone)
        log::warn("a table whose copy did not finish is gone from the source (or no longer included); forgetting it",
                  {{"table", g}});
    pg::Connection target = open_target(config.target.conninfo, plan.client_encoding);
    // The TRUNCATE of the tables to copy is the copy's own write, marked
    // as such like its rows: a decoder on the target with origin = "none"
    // (the way back of two databases replicating to each other) skips it.
    // Job 1's origin is free until the jobs start, and is let go first.
    checkpoint::bind_copy_origin(target, checkpoint::copy_origin_name(pipeline, 1), config.sync.copy_jobs, {});
    target.exec("BEGIN", "while resetting the copy state");
    reset_tables(target, pipeline, names, snapshot.consistent_point, plan.gone);
    target.exec("COMMIT", "while resetting the copy state");
    std::vector<std::string> targets;
    for (const auto& t : names) targets.push_back(t.target_table);
    for (const auto& truncate : truncate_statements(target, targets))
        target.exec(truncate, "while emptying the target tables before the copy");
    checkpoint::unbind_copy_origin(target);
}

}  // namespace

CopyResult run_initial_copy(const config::Config& config, const std::string& pipeline, const Snapshot& snapshot,
                            const std::vector<std::string>& only_tables, Progress& progress, std::stop_token stop) {
    auto started = std::chrono::steady_clock::now();
    Plan plan = make_plan(config, snapshot, only_tables);
    reset_state(config, pipeline, snapshot, plan);

    std::size_t chunks = 0;
    double estimated = 0;
    for (const auto& t : plan.tables) {
        chunks += t.chunks.size();
        if (t.estimated_rows > 0) estimated += t.estimated_rows;
    }
    CopySchedule schedule(std::move(plan.tables));
    int jobs = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(std::max(1, config.sync.copy_jobs)),
                                                      std::max<std::size_t>(1, schedule.task_count())));
    log::info("initial copy starting",
              {{"tables", std::to_string(schedule.table_count())},
               {"chunks", std::to_string(chunks)},
               {"estimated_rows", std::to_string(static_cast<long long>(estimated))},
               {"jobs", std::to_string(jobs)},
               {"max_rate", config.sync.copy_max_rate ? std::to_string(*config.sync.copy_max_rate) + " bytes/s"
                                                      : std::string("none")},
               {"snapshot", snapshot.name},
               {"consistent_point", snapshot.consistent_point.to_string()}});
    progress.started(schedule.progress());

    // Our own stop source, so the first failing job can stop the others;
    // the caller's stop request is forwarded to it.
    std::stop_source internal;
    std::stop_callback forward(stop, [&] { internal.request_stop(); });
    std::optional<CopyThrottle> throttle;
    if (config.sync.copy_max_rate) throttle.emplace(*config.sync.copy_max_rate);
    CopyContext context{config,
                        pipeline,
                        snapshot,
                        schedule,
                        plan.client_encoding,
                        internal.get_token(),
                        throttle ? &*throttle : nullptr};
    std::vector<CopyJob> workers;
    workers.reserve(static_cast<std::size_t>(jobs));
    for (int i = 0; i < jobs; ++i) workers.emplace_back(context, i + 1);
    CopyResult result;
    {
        std::vector<std::jthread> threads;
        threads.reserve(workers.size());
        for (auto& w : workers) {
            schedule.job_started();
            threads.emplace_back([&w] { w.run(); });
        }
        auto last_update = std::chrono::steady_clock::now();
        for (;;) {
            bool all_exited = schedule.wait(kProgressInterval);
            if (schedule.error()) internal.request_stop();
            for (auto& table : schedule.take_finished()) {
                progress.table_finished(table);
                result.rows += table.rows;
                result.bytes += table.bytes;
                result.tables.push_back(std::move(table));
            }
            if (all_exited) break;
            // Tables finishing wake this loop early; the observer still
            // hears at most about five times a second.
            auto now = std::chrono::steady_clock::now();
            if (now - last_update >= kProgressInterval) {
                progress.update(schedule.progress());
                last_update = now;
            }
        }
    }
    if (auto error = schedule.error()) std::rethrow_exception(error);
    result.seconds = std::chrono::steady_clock::now() - started;
    // After the observer is done drawing, so the line is not drawn over.
    progress.finished(result);
    log::info("initial copy done",
              {{"tables", std::to_string(result.tables.size())},
               {"rows", std::to_string(result.rows)},
               {"bytes", std::to_string(result.bytes)},
               {"seconds", std::to_string(result.seconds.count())},
               {"rows_per_second",
                std::to_string(result.seconds.count() > 0
                                   ? static_cast<long long>(static_cast<double>(result.rows) / result.seconds.count())
                                   : 0)}});
    return result;
}

CopyResult run_initial_copy(const config::Config& config, const std::string& pipeline, const Snapshot& snapshot,
                            const std::vector<std::string>& only_tables, ProgressDisplay display,
                            std::stop_token stop) {
    auto progress = make_progress(display, pipeline);
    return run_initial_copy(config, pipeline, snapshot, only_tables, *progress, std::move(stop));
}

}  // namespace tidemark::idp
