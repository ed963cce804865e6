// See sync_command.hpp.  run_sync drives one `tidemark sync`: signals,
// --reset, the pipeline's start (copy or not), the catch-up target of
// --once, streaming, retries after lost connections, and the report.
#include "sync/sync_command.hpp"

#include <fstream>
#include <iostream>
#include <thread>

#include "apply/apply_error.hpp"
#include "cli/exit_codes.hpp"
#include "config/config_error.hpp"
#include "idp/copy_error.hpp"
#include "idp/copy_session.hpp"
#include "idp/initial_copy.hpp"
#include "log/event.hpp"
#include "metrics/observability.hpp"
#include "pg/conninfo_mask.hpp"
#include "pg/database_error.hpp"
#include "pg/timestamp.hpp"
#include "retry/backoff.hpp"
#include "state/dead_letter.hpp"
#include "sync/budget_seat.hpp"
#include "sync/catch_up.hpp"
#include "sync/commit_timestamp_check.hpp"
#include "sync/pipeline_set.hpp"
#include "sync/pipeline_startup.hpp"
#include "sync/run_monitoring.hpp"
#include "sync/signal_watcher.hpp"
#include "sync/stream_session.hpp"
#include "sync/sync_report.hpp"
#include "sync/table_reseed.hpp"

namespace tidemark::sync {
namespace {

// Waits `delay` unless a stop comes first.
void wait_for(std::chrono::milliseconds delay, const std::stop_source& stop) {
    auto until = std::chrono::steady_clock::now() + delay;
    while (!stop.stop_requested() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(
            std::min(std::chrono::milliseconds(50),
                     std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now())));
}

pg::Connection connect(const std::string& conninfo) {
    pg::ConnectOptions o;
    o.application_name = "tidemark";
    return pg::Connection::connect(conninfo, o);
}

void write_report(const cli::SyncOptions& options, const std::string& text) {
    if (!options.report_file) {
        std::cout << text << std::flush;
        return;
    }
    std::ofstream out(*options.report_file, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out)
        log::error("could not write the sync report", {{"file", options.report_file->string()}});
    else
        log::info("sync report written", {{"file", options.report_file->string()}});
}

}  // namespace

int run_sync(const config::Config& config, const cli::SyncOptions& options,
             std::shared_ptr<log::TerminalSink> terminal) {
    RunContext context;
    context.progress.terminal = std::move(terminal);
    SignalWatcher signals(context.stop);
    // One metrics server and alert monitor for every pipeline of the process.
    std::unique_ptr<metrics::Observability> observability;
    try {
        observability = std::make_unique<metrics::Observability>(config);
    } catch (const std::runtime_error& e) {
        log::error(e.what());
        return cli::kExitFailure;
    }
    context.observability = observability.get();
    return run_pipelines(config, options, context);
}

int run_pipeline(const config::Config& config, const cli::SyncOptions& options, RunContext& context,
                 std::stop_source stop) {
    RunSummary run;
    run.sync_id = new_sync_id();
    run.source = pg::mask_conninfo(config.source.conninfo);
    run.destination = pg::mask_conninfo(config.target.conninfo);
    run.started_at = pg::pg_now();
    run.pipeline = pipeline_name(config);
    RunMonitoring monitoring(context, config, run);

    // This run's share of the target connections, given back when it ends.
    BudgetSeat seat(context.budget, run.pipeline);
    retry::Backoff backoff;
    bool reset = options.reset;
    bool reseeded = false;
    std::optional<PipelineStart> start;
    std::optional<pg::Lsn> catch_up;
    std::optional<long long> dead_letter_base;
    int code = cli::kExitDone;
    run.status = "completed";

    // A side that cannot be reached at all at start is a configuration
    // problem more often than an outage: say so and stop.  Once both have
    // answered, a lost connection is an outage and is retried with backoff,
    // whatever phase the run is in.
    try {
        connect(config.source.conninfo);
        connect(config.target.conninfo);
    } catch (const pg::DatabaseError& e) {
        log::error(e.what(), {{"sqlstate", e.sqlstate()}});
        return cli::kExitFailure;
    }
    // Said once, before anything is applied: without commit timestamps on
    // the target some conflicts cannot be seen at all.
    if (config.conflicts || config.late_data) {
        try {
            pg::Connection target = connect(config.target.conninfo);
            if (auto warning = commit_timestamp_warning(target)) {
                log::warn(*warning);
                run.warnings.push_back(*warning);
            }
        } catch (const pg::DatabaseError& e) {
            log::warn("could not read track_commit_timestamp on the target", {{"error", e.what()}});
        }
    }

    AbandonedSessions abandoned;
    int reconnects = 0;
    int retries = 0;
    for (;;) {
        auto attempt_started = std::chrono::steady_clock::now();
        try {
            if (reset) {
                auto notes = reset_pipeline(config);
                run.warnings.insert(run.warnings.end(), notes.begin(), notes.end());
                reset = false;
            }
            if (!start) {
                config::Config sized = seat.for_start(config, stop.get_token(), !options.reseed.empty());
                if (stop.stop_requested()) {
                    run.status = "stopped";
                    break;
                }
                // Before the start validates the state: a re-seed cut short
                // leaves tables the validation would stop at.
                if (!reseeded) {
                    auto reseed =
                        reseed_tables(config, options.reseed, seat.held(), context.progress, stop.get_token());
                    run.copied.insert(run.copied.end(), reseed.copied.begin(), reseed.copied.end());
                    run.warnings.insert(run.warnings.end(), reseed.notes.begin(), reseed.notes.end());
                    reseeded = true;
                }
                start = start_pipeline(sized, context.progress, stop.get_token());
                if (start->copy)
                    run.copied.insert(run.copied.end(), start->copy->tables.begin(), start->copy->tables.end());
                run.warnings.insert(run.warnings.end(), start->notes.begin(), start->notes.end());
            }
            if (!dead_letter_base) {
                pg::Connection target = connect(config.target.conninfo);
                dead_letter_base = state::last_dead_letter_id(target);
                monitoring.update(run, *dead_letter_base);
            }
            if (start->finished) break;
            if (options.once && !catch_up) {
                pg::Connection source = connect(config.source.conninfo);
                catch_up = catch_up_target(source);
                log::info("--once: streaming until the source's current position", {{"target", catch_up->to_string()}});
            }
            seat.for_stream(stop.get_token());
            if (stop.stop_requested()) {
                run.status = "stopped";
                break;
            }
            StreamOutcome outcome = stream_changes(config, start->record, start->fallback_start, catch_up,
                                                   stop.get_token(), run.applied, monitoring.observer(), abandoned);
            run.applied_lsn = outcome.durable;
            if (outcome.end == StreamEnd::stopped) {
                run.status = "stopped";
                break;
            }
            log::info("caught up with the source", {{"applied_lsn", outcome.durable.to_string()}});
            // Sequences move without WAL-decoded changes: copied again at
            // the end so the target's are not behind its rows.
            idp::copy_sequences(config, std::nullopt);
            break;
        } catch (const pg::DatabaseError& e) {
            monitoring.error(e);
            const bool transient = !e.is_connection_error() && e.is_transient();
            bool retry = (e.is_connection_error() || transient) && !stop.stop_requested();
            if (!retry) {
                log::error(e.what(), {{"sqlstate", e.sqlstate()}});
                run.errors.push_back(e.what());
                run.status = stop.stop_requested() ? "stopped" : "failed";
                code = stop.stop_requested() ? cli::kExitDone : cli::kExitFailure;
                break;
            }
            // A connection that held for a while was not part of the same
            // outage: the wait starts small again.
            if (std::chrono::steady_clock::now() - attempt_started > std::chrono::seconds(60)) backoff.reset();
            ++(transient ? retries : reconnects);
            monitoring.stage(metrics::Stage::reconnecting, e.what());
            auto delay = backoff.next();
            log::warn(transient ? "a server rolled back the work in progress for a reason that passes (deadlock, "
                                  "cancel, timeout, out of resources, read-only for now); retrying from the saved "
                                  "position"
                      : idp::needs_fresh_snapshot(e)
                          ? "the copy needs a fresh snapshot; retrying from the saved position"
                          : "lost a connection; retrying from the saved position",
                      {{"in_ms", std::to_string(delay.count())},
                       {"attempt", std::to_string(reconnects + retries)},
                       {"source", run.source},
                       {"target", run.destination},
                       {"error", e.what()}});
            // A failure inside start_pipeline left `start` empty: the next
            // attempt resumes from the state (an unfinished copy included).
            wait_for(delay, stop);
        } catch (const config::ConfigError& e) {
            // The command line reports it (exit code 2).
            monitoring.error(e);
            throw;
        } catch (const idp::CopyInterrupted&) {
            log::info("the copy was interrupted; the next run resumes it");
            run.status = "stopped";
            break;
        } catch (const std::exception& e) {
            monitoring.error(e);
            log::error(e.what());
            run.errors.push_back(e.what());
            run.status = "failed";
            code = cli::kExitFailure;
            break;
        }
    }
    if (reconnects > 0)
        run.warnings.push_back("reconnected " + std::to_string(reconnects) + " time(s) after lost connections");
    if (retries > 0)
        run.warnings.push_back("retried " + std::to_string(retries) +
                               " time(s) after transient errors (deadlock, cancel, timeout, resources, read-only)");

    run.completed_at = pg::pg_now();
    std::optional<StateSnapshot> state;
    try {
        pg::Connection target = connect(config.target.conninfo);
        state = read_state(target, run.pipeline, dead_letter_base.value_or(0), run.started_at);
    } catch (const std::exception& e) {
        log::warn("could not read the pipeline's state for the report", {{"error", e.what()}});
    }
    std::string report = render_report(run, state);
    monitoring.finish(config, run, report);
    if (options.once || options.report_file || run.status != "failed") write_report(options, indent_json(report));
    return code;
}

}  // namespace tidemark::sync
