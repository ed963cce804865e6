// Registry: the agent's metric families (counters, gauges, histograms)
// and their labelled series, shared by every thread of the process.
// Looking a series up takes the registry's lock, so hot paths look up
// once and keep the reference (series live as long as the registry);
// updating a series is a lock-free atomic operation.
// Must not: format text (prometheus_text does) or know what a metric means.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metrics/histogram.hpp"

namespace tidemark::metrics {

enum class MetricType { counter, gauge, histogram };

// The type as the exposition format spells it ("counter", ...).
std::string_view type_name(MetricType type);

// Label name and value pairs, in the family's label order.
using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
public:
    void add(double amount = 1) noexcept { value_.fetch_add(amount, std::memory_order_relaxed); }
    double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

class Gauge {
public:
    void set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
    void add(double amount) noexcept { value_.fetch_add(amount, std::memory_order_relaxed); }
    double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

struct Sample {
    Labels labels;
    double value = 0;             // counter and gauge
    HistogramSnapshot histogram;  // histogram
};

struct FamilySnapshot {
    std::string name;
    std::string help;
    MetricType type = MetricType::gauge;
    std::vector<Sample> samples;  // ordered by label values
};

class Registry {
public:
    Registry() = default;
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    // The series of family `name` with `labels`, created on first use.
    // A family keeps the type, help and label names it was first given;
    // asking for it otherwise is a programming error (std::logic_error).
    Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
    Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
    Histogram& histogram(std::string_view name, std::string_view help, const Labels& labels,
                         std::span<const double> bounds);

    // Makes a family known (exposed with HELP and TYPE) before any series
    // exists, such as conflicts before the first one.
    void declare(std::string_view name, std::string_view help, MetricType type, std::vector<std::string> label_names);

    // Sum of the counter or gauge series of `name` whose label `label`
    // equals `value` (every series when `label` is empty); 0 when none.
    double sum(std::string_view name, std::string_view label = {}, std::string_view value = {}) const;

    std::vector<FamilySnapshot> collect() const;

private:
    struct Series {
        Counter counter;
        Gauge gauge;
        std::unique_ptr<Histogram> histogram;
    };
    struct Family {
        std::string help;
        MetricType type = MetricType::gauge;
        std::vector<std::string> label_names;
        bool labels_known = false;
        std::map<std::vector<std::string>, std::unique_ptr<Series>> series;
    };

    Series& series(std::string_view name, std::string_view help, MetricType type, const Labels& labels,
                   std::span<const double> bounds);
    Family& family(std::string_view name, std::string_view help, MetricType type);

    mutable std::mutex mutex_;
    std::map<std::string, Family, std::less<>> families_;
};

// Prometheus metric and label name rules.
bool valid_metric_name(std::string_view name) noexcept;
bool valid_label_name(std::string_view name) noexcept;

}  // namespace tidemark::metrics
