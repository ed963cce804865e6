// StatusPage: the HTML page GET / answers: per pipeline its phase, health,
// lag (with an inline SVG chart of the last hour), last checkpoint,
// conflicts waiting for review, dead letters and each table's copy
// progress.  Plain HTML and SVG, no script, no external asset, so it
// renders anywhere, offline and behind strict proxies.
// Must not: gather the facts (the caller hands them in).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/lag_history.hpp"
#include "metrics/pipeline_status.hpp"

namespace tidemark::metrics {

struct PipelineView {
    std::string name;
    std::string slot;
    std::string stage;
    std::string stage_reason;
    Verdict health;
    Verdict readiness;
    double lag_seconds = 0;
    double lag_bytes = 0;
    std::optional<double> checkpoint_age_seconds;
    StateFacts state;
    std::vector<LagSample> lag;
    std::chrono::seconds lag_window{3600};
};

struct StatusView {
    std::string version;
    std::string host;
    std::chrono::system_clock::time_point now;
    std::vector<PipelineView> pipelines;
};

std::string render_status_page(const StatusView& view);

// The lag chart alone: an <svg> element, lag in seconds over the window
// ending at `now`, with its axes labelled.
std::string lag_chart_svg(const std::vector<LagSample>& samples, std::chrono::system_clock::time_point now,
                          std::chrono::seconds window);

// Text for HTML content and attribute values.
std::string html_escape(std::string_view text);

}  // namespace tidemark::metrics
