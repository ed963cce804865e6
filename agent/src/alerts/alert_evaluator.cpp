// See alert_evaluator.hpp.
#include "alerts/alert_evaluator.hpp"

namespace tidemark::alerts {

AlertDecision AlertEvaluator::evaluate(const std::string& pipeline, const std::string& rule, double value,
                                       double threshold, Clock::time_point now) {
    State& s = states_[{pipeline, rule}];
    bool above = value > threshold;
    if (above == s.firing) return {};
    s.firing = above;
    if (!above) return {AlertChange::resolved, false};
    bool allowed = !s.last_command || now - *s.last_command >= min_interval_;
    if (allowed) s.last_command = now;
    return {AlertChange::fired, allowed};
}

bool AlertEvaluator::firing(const std::string& pipeline, const std::string& rule) const {
    auto it = states_.find({pipeline, rule});
    return it != states_.end() && it->second.firing;
}

}  // namespace tidemark::alerts
