// RunMonitoring: everything one run of a pipeline does for observability,
// gathered so the sync command calls it in a few places: the pipeline's
// observer (metrics and status), the state poller, the running report
// written to tidemark.reports once a minute, and the final report stored
// there when the run ends.  Inert (observer() is null) when the process
// has no Observability.
// Must not: change how the run behaves; its own failures are logged only.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "metrics/pipeline_status.hpp"
#include "metrics/state_poller.hpp"
#include "sync/pipeline_observer.hpp"
#include "sync/run_context.hpp"
#include "sync/sync_report.hpp"

namespace tidemark::sync {

class RunMonitoring {
public:
    RunMonitoring(RunContext& context, const config::Config& config, const RunSummary& run);
    ~RunMonitoring();
    RunMonitoring(const RunMonitoring&) = delete;
    RunMonitoring& operator=(const RunMonitoring&) = delete;

    PipelineObserver* observer() noexcept { return observer_.get(); }

    // What the running report says besides the counters: call after the
    // run's summary changes (after the start, after a stream session).
    void update(const RunSummary& run, long long dead_letter_base);
    void stage(metrics::Stage stage, std::string reason = {});
    // An attempt ended with `e`; counted in tidemark_errors_total.
    void error(const std::exception& e, std::string_view fallback_class = "internal");
    // The run is over: stops the poller, then stores `report_json` as the
    // pipeline's last report (logged when the target cannot take it).
    void finish(const config::Config& config, const RunSummary& run, const std::string& report_json);

private:
    void write_running_report(pg::Connection& target);

    std::unique_ptr<PipelineObserver> observer_;
    std::unique_ptr<metrics::StatePoller> poller_;
    std::mutex mutex_;
    RunSummary base_;
    long long dead_letter_base_ = 0;
};

}  // namespace tidemark::sync
