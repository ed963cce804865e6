// AlertMonitor: applies the [alerts] rules to each pipeline's current
// values: logs every crossing at warning (and the return under the
// threshold at info) and hands the crossings to the alert command.
// Must not: read metrics itself (the caller passes the values) or block.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "alerts/alert_command.hpp"
#include "alerts/alert_evaluator.hpp"
#include "alerts/alert_rules.hpp"
#include "config/metrics_config.hpp"

namespace tidemark::alerts {

// One pipeline's values as the rules see them; the *_total values are
// counters, turned into per-minute rates here.
struct PipelineValues {
    std::string pipeline;
    double lag_bytes = 0;
    double lag_seconds = 0;
    double conflicts_total = 0;
    double pending_reviews = 0;
    double dead_letters = 0;
    double errors_total = 0;
};

class AlertMonitor {
public:
    using Clock = std::chrono::steady_clock;
    explicit AlertMonitor(const config::AlertsConfig& config);

    bool active() const noexcept { return !rules_.empty(); }
    // `now_pg` is the wall clock in PostgreSQL microseconds, for the notice.
    void check(const std::vector<PipelineValues>& pipelines, Clock::time_point now, std::int64_t now_pg);

private:
    double value_of(const AlertRule& rule, const PipelineValues& v, Clock::time_point now);

    std::vector<AlertRule> rules_;
    AlertEvaluator evaluator_;
    std::map<std::pair<std::string, std::string>, RateWindow> rates_;
    std::unique_ptr<AlertCommand> command_;
};

}  // namespace tidemark::alerts
