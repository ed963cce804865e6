// See families.hpp.
#include "metrics/families.hpp"

#include <stdexcept>

namespace tidemark::metrics {

std::vector<std::string> label_names(const FamilyInfo& info) {
    std::vector<std::string> out;
    std::string_view rest = info.labels;
    while (!rest.empty()) {
        auto comma = rest.find(',');
        out.emplace_back(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    return out;
}

void declare_families(Registry& registry) {
    for (const FamilyInfo* f : family::kAll) registry.declare(f->name, f->help, f->type, label_names(*f));
}

Labels labels_for(const FamilyInfo& info, std::initializer_list<std::string_view> values) {
    auto names = label_names(info);
    if (values.size() != names.size())
        throw std::logic_error("metric " + std::string(info.name) + " needs " + std::to_string(names.size()) +
                               " label values");
    Labels out;
    auto v = values.begin();
    for (auto& name : names) out.emplace_back(std::move(name), std::string(*v++));
    return out;
}

Counter& counter(Registry& registry, const FamilyInfo& info, std::initializer_list<std::string_view> values) {
    return registry.counter(info.name, info.help, labels_for(info, values));
}

Gauge& gauge(Registry& registry, const FamilyInfo& info, std::initializer_list<std::string_view> values) {
    return registry.gauge(info.name, info.help, labels_for(info, values));
}

Histogram& histogram(Registry& registry, const FamilyInfo& info, std::initializer_list<std::string_view> values,
                     std::span<const double> bounds) {
    return registry.histogram(info.name, info.help, labels_for(info, values), bounds);
}

}  // namespace tidemark::metrics
