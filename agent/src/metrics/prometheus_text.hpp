// PrometheusText: the registry's families in the Prometheus text
// exposition format, version 0.0.4 (what GET /metrics answers).
// Must not: read anything but the snapshots it is given.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "metrics/registry.hpp"

namespace tidemark::metrics {

inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

std::string prometheus_text(const std::vector<FamilySnapshot>& families);

// Label values: backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);
// HELP text: backslash and newline escaped.
std::string escape_help(std::string_view text);
// A sample value: integers without a fraction, +Inf, -Inf, NaN.
std::string format_value(double value);

}  // namespace tidemark::metrics
