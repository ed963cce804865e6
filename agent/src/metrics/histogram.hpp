// Histogram: a Prometheus histogram with fixed bucket bounds, safe to
// observe from any thread without a lock (one atomic per bucket).
// Must not: allocate or lock in observe(): the apply path calls it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace tidemark::metrics {

struct HistogramSnapshot {
    std::vector<double> bounds;             // upper bounds, ascending, +Inf excluded
    std::vector<std::uint64_t> cumulative;  // per bound, then one more for +Inf
    double sum = 0;
    std::uint64_t count = 0;
};

class Histogram {
public:
    // `bounds` must be ascending and finite; throws std::invalid_argument.
    explicit Histogram(std::span<const double> bounds);

    void observe(double value) noexcept;
    HistogramSnapshot snapshot() const;
    std::span<const double> bounds() const noexcept { return bounds_; }

private:
    std::vector<double> bounds_;
    // Not cumulative: one slot per bound plus +Inf; summed on snapshot.
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
    std::atomic<double> sum_{0};
};

// Seconds from 1 ms to 5 minutes: apply latency spans both a caught-up
// stream and a target catching up after an outage.
std::span<const double> latency_buckets() noexcept;

}  // namespace tidemark::metrics
