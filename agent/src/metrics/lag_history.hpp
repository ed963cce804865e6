// LagHistory: a pipeline's lag over the last hour, for the status page's
// chart.  One sample per resolution step; within a step the worst lag is
// kept, so a short spike between two samples is not lost.
// Must not: grow past the window (old samples are dropped on add).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

namespace tidemark::metrics {

struct LagSample {
    std::chrono::system_clock::time_point at;  // start of the step
    double seconds = 0;
    double bytes = 0;
};

class LagHistory {
public:
    explicit LagHistory(std::chrono::seconds window = std::chrono::hours(1),
                        std::chrono::seconds resolution = std::chrono::seconds(10));

    void add(std::chrono::system_clock::time_point at, double seconds, double bytes);
    // The samples within the window ending at `now`, oldest first.
    std::vector<LagSample> samples(std::chrono::system_clock::time_point now) const;
    std::chrono::seconds window() const noexcept { return window_; }

private:
    std::chrono::seconds window_;
    std::chrono::seconds resolution_;
    mutable std::mutex mutex_;
    std::deque<LagSample> samples_;
};

}  // namespace tidemark::metrics
