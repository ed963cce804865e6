// See registry.hpp.
#include "metrics/registry.hpp"

#include <stdexcept>

namespace tidemark::metrics {

std::string_view type_name(MetricType type) {
    switch (type) {
        case MetricType::counter:
            return "counter";
        case MetricType::gauge:
            return "gauge";
        case MetricType::histogram:
            return "histogram";
    }
    return "untyped";
}

namespace {

bool name_char(char c, bool first, bool colon) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
    return alpha || (!first && c >= '0' && c <= '9');
}


}  // namespace

bool valid_metric_name(std::string_view name) noexcept {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i)
        if (!name_char(name[i], i == 0, true)) return false;
    return true;
}

bool valid_label_name(std::string_view name) noexcept {
    if (name.empty() || name.starts_with("__")) return false;
    for (std::size_t i = 0; i < name.size(); ++i)
        if (!name_char(name[i], i == 0, false)) return false;
    return true;
}

Registry::Family& Registry::family(std::string_view name, std::string_view help, MetricType type) {
    auto it = families_.find(name);
    if (it == families_.end()) {
        if (!valid_metric_name(name)) throw std::logic_error("invalid metric name \"" + std::string(name) + "\"");
        it = families_.emplace(std::string(name), Family{}).first;
        it->second.help = std::string(help);
        it->second.type = type;
    } else if (it->second.type != type) {
        throw std::logic_error("metric " + std::string(name) + " is a " + std::string(type_name(it->second.type)) +
                               ", not a " + std::string(type_name(type)));
    }
    return it->second;
}

void Registry::declare(std::string_view name, std::string_view help, MetricType type,
                       std::vector<std::string> label_names) {
    std::lock_guard lock(mutex_);
    Family& f = family(name, help, type);
    if (!f.labels_known) {
        for (const auto& l : label_names)
            if (!valid_label_name(l)) throw std::logic_error("invalid label name \"" + l + "\"");
        f.label_names = std::move(label_names);
        f.labels_known = true;
    }
}

Registry::Series& Registry::series(std::string_view name, std::string_view help, MetricType type, const Labels& labels,
                                   std::span<const double> bounds) {
    std::lock_guard lock(mutex_);
    Family& f = family(name, help, type);
    if (!f.labels_known) {
        for (const auto& [label, value] : labels) {
            if (!valid_label_name(label)) throw std::logic_error("invalid label name \"" + label + "\"");
            f.label_names.push_back(label);
        }
        f.labels_known = true;
    }
    bool same = f.label_names.size() == labels.size();
    for (std::size_t i = 0; same && i < labels.size(); ++i) same = f.label_names[i] == labels[i].first;
    if (!same) throw std::logic_error("metric " + std::string(name) + " used with different label names");
    std::vector<std::string> key;
    key.reserve(labels.size());
    for (const auto& l : labels) key.push_back(l.second);
    auto& slot = f.series[key];
    if (!slot) {
        slot = std::make_unique<Series>();
        if (type == MetricType::histogram) slot->histogram = std::make_unique<Histogram>(bounds);
    }
    return *slot;
}

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
    return series(name, help, MetricType::counter, labels, {}).counter;
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
    return series(name, help, MetricType::gauge, labels, {}).gauge;
}

Histogram& Registry::histogram(std::string_view name, std::string_view help, const Labels& labels,
                               std::span<const double> bounds) {
    return *series(name, help, MetricType::histogram, labels, bounds).histogram;
}

double Registry::sum(std::string_view name, std::string_view label, std::string_view value) const {
    std::lock_guard lock(mutex_);
    auto it = families_.find(name);
    if (it == families_.end()) return 0;
    const Family& f = it->second;
    std::size_t index = f.label_names.size();
    if (!label.empty()) {
        for (std::size_t i = 0; i < f.label_names.size(); ++i)
            if (f.label_names[i] == label) index = i;
        if (index == f.label_names.size()) return 0;
    }
    double total = 0;
    for (const auto& [key, s] : f.series) {
        if (!label.empty() && key[index] != value) continue;
        total += f.type == MetricType::counter ? s->counter.value() : s->gauge.value();
    }
    return total;
}

std::vector<FamilySnapshot> Registry::collect() const {
    std::lock_guard lock(mutex_);
    std::vector<FamilySnapshot> out;
    out.reserve(families_.size());
    for (const auto& [name, f] : families_) {
        FamilySnapshot snap;
        snap.name = name;
        snap.help = f.help;
        snap.type = f.type;
        for (const auto& [key, s] : f.series) {
            Sample sample;
            for (std::size_t i = 0; i < key.size(); ++i) sample.labels.emplace_back(f.label_names[i], key[i]);
            if (f.type == MetricType::histogram)
                sample.histogram = s->histogram->snapshot();
            else
                sample.value = f.type == MetricType::counter ? s->counter.value() : s->gauge.value();
            snap.samples.push_back(std::move(sample));
        }
        out.push_back(std::move(snap));
    }
    return out;
}

}  // namespace tidemark::metrics
