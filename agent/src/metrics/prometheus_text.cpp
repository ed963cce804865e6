// See prometheus_text.hpp.
#include "metrics/prometheus_text.hpp"

#include <fmt/format.h>

#include <cmath>

namespace tidemark::metrics {
namespace {

void append_labels(std::string& out, const Labels& labels, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
    if (labels.empty() && extra_name.empty()) return;
    out += '{';
    bool first = true;
    for (const auto& [name, value] : labels) {
        if (!first) out += ',';
        first = false;
        out += name;
        out += "=\"";
        out += escape_label_value(value);
        out += '"';
    }
    if (!extra_name.empty()) {
        if (!first) out += ',';
        out += extra_name;
        out += "=\"";
        out += extra_value;
        out += '"';
    }
    out += '}';
}

}  // namespace

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string escape_help(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string format_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{}", static_cast<long long>(value));
    return fmt::format("{}", value);
}

std::string prometheus_text(const std::vector<FamilySnapshot>& families) {
    std::string out;
    for (const auto& f : families) {
        out += "# HELP " + f.name + " " + escape_help(f.help) + "\n";
        out += "# TYPE " + f.name + " " + std::string(type_name(f.type)) + "\n";
        for (const auto& s : f.samples) {
            if (f.type != MetricType::histogram) {
                out += f.name;
                append_labels(out, s.labels);
                out += ' ';
                out += format_value(s.value);
                out += '\n';
                continue;
            }
            const auto& h = s.histogram;
            for (std::size_t i = 0; i < h.cumulative.size(); ++i) {
                std::string le = i < h.bounds.size() ? format_value(h.bounds[i]) : "+Inf";
                out += f.name + "_bucket";
                append_labels(out, s.labels, "le", le);
                out += ' ' + format_value(static_cast<double>(h.cumulative[i])) + '\n';
            }
            out += f.name + "_sum";
            append_labels(out, s.labels);
            out += ' ' + format_value(h.sum) + '\n';
            out += f.name + "_count";
            append_labels(out, s.labels);
            out += ' ' + format_value(static_cast<double>(h.count)) + '\n';
        }
    }
    return out;
}

}  // namespace tidemark::metrics
