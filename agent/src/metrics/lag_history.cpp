// See lag_history.hpp.
#include "metrics/lag_history.hpp"

#include <algorithm>

namespace tidemark::metrics {

LagHistory::LagHistory(std::chrono::seconds window, std::chrono::seconds resolution)
    : window_(window), resolution_(resolution.count() > 0 ? resolution : std::chrono::seconds(1)) {}

void LagHistory::add(std::chrono::system_clock::time_point at, double seconds, double bytes) {
    auto since_epoch = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch());
    std::chrono::system_clock::time_point step(since_epoch - since_epoch % resolution_);
    std::lock_guard lock(mutex_);
    if (!samples_.empty() && samples_.back().at == step) {
        samples_.back().seconds = std::max(samples_.back().seconds, seconds);
        samples_.back().bytes = std::max(samples_.back().bytes, bytes);
    } else if (samples_.empty() || samples_.back().at < step) {
        samples_.push_back({step, seconds, bytes});
    }
    // A clock that went back: the sample is dropped rather than reorder the chart.
    while (!samples_.empty() && samples_.front().at + window_ < at) samples_.pop_front();
}

std::vector<LagSample> LagHistory::samples(std::chrono::system_clock::time_point now) const {
    std::lock_guard lock(mutex_);
    std::vector<LagSample> out;
    for (const auto& s : samples_)
        if (s.at + window_ >= now) out.push_back(s);
    return out;
}

}  // namespace tidemark::metrics
