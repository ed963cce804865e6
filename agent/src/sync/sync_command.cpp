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
#include "idp/initial_copy.hpp"
#include "log/event.hpp"
#include "pg/conninfo_mask.hpp"
#include "pg/database_error.hpp"
#include "pg/timestamp.hpp"
#include "state/dead_letter.hpp"
#include "retry/backoff.hpp"
#include "sync/catch_up.hpp"
#include "sync/pipeline_startup.hpp"
#include "sync/signal_watcher.hpp"
#include "sync/stream_session.hpp"
#include "sync/sync_report.hpp"

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

int run_sync(const config::Config& config, const cli::SyncOptions& options) {
    RunContext context;
    SignalWatcher signals(context.stop);
    return run_pipeline(config, options, context);
}

int run_pipeline(const config::Config& config, const cli::SyncOptions& options, RunContext& context) {
    RunSummary run;
    run.sync_id = new_sync_id();
    run.source = pg::mask_conninfo(config.source.conninfo);
    run.destination = pg::mask_conninfo(config.target.conninfo);
    run.started_at = pg::pg_now();
    run.pipeline = pipeline_name(config);

    std::stop_source& stop = context.stop;
    retry::Backoff backoff;
    bool reset = options.reset;
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

    int reconnects = 0;
    for (;;) {
        auto attempt_started = std::chrono::steady_clock::now();
        try {
            if (reset) {
                auto notes = reset_pipeline(config);
                run.warnings.insert(run.warnings.end(), notes.begin(), notes.end());
                reset = false;
            }
            if (!start) {
                start = start_pipeline(config, stop.get_token());
                if (start->copy)
                    run.copied.insert(run.copied.end(), start->copy->tables.begin(), start->copy->tables.end());
                run.warnings.insert(run.warnings.end(), start->notes.begin(), start->notes.end());
            }
            if (!dead_letter_base) {
                pg::Connection target = connect(config.target.conninfo);
                dead_letter_base = state::last_dead_letter_id(target);
            }
            if (start->finished) break;
            if (options.once && !catch_up) {
                pg::Connection source = connect(config.source.conninfo);
                catch_up = catch_up_target(source);
                log::info("--once: streaming until the source's current position", {{"target", catch_up->to_string()}});
            }
            if (stop.stop_requested()) {
                run.status = "stopped";
                break;
            }
            StreamOutcome outcome =
                stream_changes(config, start->record, start->fallback_start, catch_up, stop.get_token(), run.applied);
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
            bool retry = e.is_connection_error() && !stop.stop_requested();
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
            ++reconnects;
            auto delay = backoff.next();
            log::warn("lost a connection; retrying from the saved position", {{"in_ms", std::to_string(delay.count())},
                                                                              {"attempt", std::to_string(reconnects)},
                                                                              {"source", run.source},
                                                                              {"target", run.destination},
                                                                              {"error", e.what()}});
            // A failure inside start_pipeline left `start` empty: the next
            // attempt resumes from the state (an unfinished copy included).
            wait_for(delay, stop);
        } catch (const config::ConfigError&) {
            // The command line reports it (exit code 2).
            throw;
        } catch (const idp::CopyInterrupted&) {
            log::info("the copy was interrupted; the next run resumes it");
            run.status = "stopped";
            break;
        } catch (const std::exception& e) {
            log::error(e.what());
            run.errors.push_back(e.what());
            run.status = "failed";
            code = cli::kExitFailure;
            break;
        }
    }
    if (reconnects > 0)
        run.warnings.push_back("reconnected " + std::to_string(reconnects) + " time(s) after lost connections");

    run.completed_at = pg::pg_now();
    std::optional<StateSnapshot> state;
    try {
        pg::Connection target = connect(config.target.conninfo);
        state = read_state(target, run.pipeline, dead_letter_base.value_or(0));
    } catch (const std::exception& e) {
        log::warn("could not read the pipeline's state for the report", {{"error", e.what()}});
    }
    if (options.once || options.report_file || run.status != "failed")
        write_report(options, indent_json(render_report(run, state)));
    return code;
}

}  // namespace tidemark::sync
