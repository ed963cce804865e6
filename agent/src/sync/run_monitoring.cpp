// See run_monitoring.hpp.
#include "sync/run_monitoring.hpp"

#include "log/event.hpp"
#include "metrics/observability.hpp"
#include "pg/connection.hpp"
#include "pg/timestamp.hpp"
#include "state/report_record.hpp"

namespace tidemark::sync {

RunMonitoring::RunMonitoring(RunContext& context, const config::Config& config, const RunSummary& run) : base_(run) {
    if (!context.observability) return;
    observer_ = std::make_unique<PipelineObserver>(*context.observability, run.pipeline, config.source.slot);
    poller_ = std::make_unique<metrics::StatePoller>(config.target.conninfo, observer_->status_ptr(),
                                                     context.observability->registry(),
                                                     [this](pg::Connection& target) { write_running_report(target); });
}

RunMonitoring::~RunMonitoring() { poller_.reset(); }

void RunMonitoring::update(const RunSummary& run, long long dead_letter_base) {
    std::lock_guard lock(mutex_);
    base_ = run;
    dead_letter_base_ = dead_letter_base;
}

void RunMonitoring::stage(metrics::Stage stage, std::string reason) {
    if (observer_) observer_->status().set_stage(stage, std::move(reason));
}

void RunMonitoring::error(const std::exception& e, std::string_view fallback_class) {
    if (observer_) observer_->error(error_class(e, fallback_class));
}

void RunMonitoring::write_running_report(pg::Connection& target) {
    RunSummary run;
    long long dead_base;
    {
        std::lock_guard lock(mutex_);
        run = base_;
        dead_base = dead_letter_base_;
    }
    // Before the state exists there is nothing to report, nor a table to
    // write to.
    pg::Result ready = target.exec("SELECT pg_catalog.to_regclass('tidemark.reports') IS NOT NULL",
                                   "while looking for tidemark.reports");
    if (ready.value(0, 0) != "t") return;
    StateSnapshot state = read_state(target, run.pipeline, dead_base);
    if (!state.pipeline) return;
    run.applied = observer_->applied_so_far();
    run.status = "running";
    run.completed_at = pg::pg_now();
    state::store_report(target, run.pipeline, run.sync_id, render_report(run, state));
}

void RunMonitoring::finish(const config::Config& config, const RunSummary& run, const std::string& report_json) {
    // The poller must not write a running report over the final one.
    poller_.reset();
    if (observer_)
        observer_->status().set_stage(run.status == "failed" ? metrics::Stage::failed : metrics::Stage::stopped,
                                      run.status);
    try {
        pg::ConnectOptions options;
        options.application_name = "tidemark";
        pg::Connection target = pg::Connection::connect(config.target.conninfo, options);
        pg::Result ready = target.exec("SELECT pg_catalog.to_regclass('tidemark.reports') IS NOT NULL",
                                       "while looking for tidemark.reports");
        if (ready.value(0, 0) == "t") state::store_report(target, run.pipeline, run.sync_id, report_json);
    } catch (const std::exception& e) {
        log::warn(
            "could not store the sync report in tidemark.reports on the target; tidemark report will show "
            "an older one",
            {{"pipeline", run.pipeline}, {"error", e.what()}});
    }
}

}  // namespace tidemark::sync
