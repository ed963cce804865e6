// AlertRules: the thresholds of [alerts] as a list of named rules, and the
// window that turns a counter into a per-minute rate for the rules that
// are rates.  Must not: read metrics (the alert monitor does).
#pragma once

#include <chrono>
#include <deque>
#include <string>
#include <vector>

#include "config/metrics_config.hpp"

namespace tidemark::alerts {

struct AlertRule {
    std::string name;  // the [alerts] key: "lag_bytes", "dead_letters", ...
    double threshold = 0;
    std::string unit;  // "bytes", "seconds", "per minute", "" (a count)
};

// One rule per threshold set in `config`, in a fixed order.
std::vector<AlertRule> alert_rules(const config::AlertsConfig& config);

// How much a counter grew over the last minute.  Until a minute of
// samples exists, the growth since the first sample counts: a burst right
// after start is not hidden.
class RateWindow {
public:
    using Clock = std::chrono::steady_clock;
    explicit RateWindow(std::chrono::seconds window = std::chrono::seconds(60)) : window_(window) {}

    // Adds the counter's value at `now` and returns its growth over the window.
    double add(Clock::time_point now, double total);

private:
    std::chrono::seconds window_;
    std::deque<std::pair<Clock::time_point, double>> samples_;
};

}  // namespace tidemark::alerts
