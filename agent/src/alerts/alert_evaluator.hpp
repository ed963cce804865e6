// AlertEvaluator: decides, for each (pipeline, rule) value it is shown,
// whether an alert starts (the value rose above the threshold: a rising
// edge), ends (it came back to or under it), or nothing changed; and
// whether a starting alert may run the command, at most once per
// min_interval for the same pipeline and rule.
// Must not: log, run anything or read the clock (the caller passes now).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace tidemark::alerts {

enum class AlertChange { none, fired, resolved };

struct AlertDecision {
    AlertChange change = AlertChange::none;
    // For `fired`: whether the command may run now (rate limit).
    bool run_command = false;
};

class AlertEvaluator {
public:
    using Clock = std::chrono::steady_clock;
    explicit AlertEvaluator(std::chrono::milliseconds min_interval) : min_interval_(min_interval) {}

    AlertDecision evaluate(const std::string& pipeline, const std::string& rule, double value, double threshold,
                           Clock::time_point now);
    bool firing(const std::string& pipeline, const std::string& rule) const;

private:
    struct State {
        bool firing = false;
        std::optional<Clock::time_point> last_command;
    };
    std::chrono::milliseconds min_interval_;
    std::map<std::pair<std::string, std::string>, State> states_;
};

}  // namespace tidemark::alerts
