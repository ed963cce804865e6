// See alert_rules.hpp.
#include "alerts/alert_rules.hpp"

namespace tidemark::alerts {

std::vector<AlertRule> alert_rules(const config::AlertsConfig& config) {
    std::vector<AlertRule> rules;
    if (config.lag_bytes) rules.push_back({"lag_bytes", static_cast<double>(*config.lag_bytes), "bytes"});
    if (config.lag_time)
        rules.push_back({"lag_time", std::chrono::duration<double>(*config.lag_time).count(), "seconds"});
    if (config.conflicts_per_minute)
        rules.push_back({"conflicts_per_minute", static_cast<double>(*config.conflicts_per_minute), "per minute"});
    if (config.pending_reviews) rules.push_back({"pending_reviews", static_cast<double>(*config.pending_reviews), ""});
    if (config.dead_letters) rules.push_back({"dead_letters", static_cast<double>(*config.dead_letters), ""});
    if (config.errors_per_minute)
        rules.push_back({"errors_per_minute", static_cast<double>(*config.errors_per_minute), "per minute"});
    return rules;
}

double RateWindow::add(Clock::time_point now, double total) {
    samples_.emplace_back(now, total);
    // Keep one sample at or before the window's start as the baseline.
    while (samples_.size() > 1 && samples_[1].first <= now - window_) samples_.pop_front();
    double growth = total - samples_.front().second;
    return growth > 0 ? growth : 0;
}

}  // namespace tidemark::alerts
