// See alert_monitor.hpp.
#include "alerts/alert_monitor.hpp"

#include <fmt/format.h>

#include "log/event.hpp"

namespace tidemark::alerts {
namespace {

std::string value_text(double value, const std::string& unit) {
    std::string number = value == static_cast<double>(static_cast<long long>(value))
                             ? std::to_string(static_cast<long long>(value))
                             : fmt::format("{:.1f}", value);
    return unit.empty() ? number : number + " " + unit;
}

}  // namespace

AlertMonitor::AlertMonitor(const config::AlertsConfig& config)
    : rules_(alert_rules(config)), evaluator_(config.min_interval) {
    if (config.command && !rules_.empty())
        command_ = std::make_unique<AlertCommand>(*config.command, config.command_timeout);
}

double AlertMonitor::value_of(const AlertRule& rule, const PipelineValues& v, Clock::time_point now) {
    if (rule.name == "lag_bytes") return v.lag_bytes;
    if (rule.name == "lag_time") return v.lag_seconds;
    if (rule.name == "pending_reviews") return v.pending_reviews;
    if (rule.name == "dead_letters") return v.dead_letters;
    if (rule.name == "conflicts_per_minute") return rates_[{v.pipeline, rule.name}].add(now, v.conflicts_total);
    if (rule.name == "errors_per_minute") return rates_[{v.pipeline, rule.name}].add(now, v.errors_total);
    return 0;
}

void AlertMonitor::check(const std::vector<PipelineValues>& pipelines, Clock::time_point now, std::int64_t now_pg) {
    for (const auto& v : pipelines) {
        for (const auto& rule : rules_) {
            double value = value_of(rule, v, now);
            AlertDecision d = evaluator_.evaluate(v.pipeline, rule.name, value, rule.threshold, now);
            if (d.change == AlertChange::none) continue;
            std::string message = "pipeline " + v.pipeline + ": " + rule.name + " is " + value_text(value, rule.unit) +
                                  (d.change == AlertChange::fired ? ", above " : ", back within ") +
                                  value_text(rule.threshold, rule.unit);
            if (d.change == AlertChange::resolved) {
                log::info("alert resolved: " + message, {{"alert", rule.name}, {"pipeline", v.pipeline}});
                continue;
            }
            std::string command_note = !command_       ? "none configured"
                                       : d.run_command ? "run"
                                                       : "not run: it ran less than min_interval ago";
            log::warn("ALERT: " + message, {{"alert", rule.name},
                                            {"pipeline", v.pipeline},
                                            {"value", fmt::format("{}", value)},
                                            {"threshold", fmt::format("{}", rule.threshold)},
                                            {"command", command_note}});
            if (command_ && d.run_command)
                command_->submit({rule.name, v.pipeline, value, rule.threshold, rule.unit, message, now_pg});
        }
    }
}

}  // namespace tidemark::alerts
