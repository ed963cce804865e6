// See histogram.hpp.
#include "metrics/histogram.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace tidemark::metrics {

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds.begin(), bounds.end()), buckets_(new std::atomic<std::uint64_t>[bounds.size() + 1]) {
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
        if (!std::isfinite(bounds_[i]))
            throw std::invalid_argument("histogram bucket bounds must be finite (+Inf is implicit)");
        if (i > 0 && !(bounds_[i - 1] < bounds_[i]))
            throw std::invalid_argument("histogram bucket bounds must be strictly ascending");
    }
    for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value) noexcept {
    // Prometheus buckets are "less than or equal": a value equal to a bound
    // belongs to that bound's bucket.
    auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
    auto index = static_cast<std::size_t>(it - bounds_.begin());
    buckets_[index].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
}

HistogramSnapshot Histogram::snapshot() const {
    HistogramSnapshot s;
    s.bounds = bounds_;
    s.cumulative.reserve(bounds_.size() + 1);
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        s.cumulative.push_back(running);
    }
    s.count = running;
    s.sum = sum_.load(std::memory_order_relaxed);
    return s;
}

std::span<const double> latency_buckets() noexcept {
    static constexpr std::array<double, 16> kBounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                    0.5,   1,      2.5,   5,    10,    30,   60,  300};
    return kBounds;
}

}  // namespace tidemark::metrics
