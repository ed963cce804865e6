// See status_page.hpp.
#include "metrics/status_page.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>

namespace tidemark::metrics {
namespace {

constexpr int kChartWidth = 720;
constexpr int kChartHeight = 200;
constexpr int kLeft = 60, kRight = 12, kTop = 12, kBottom = 28;

std::string size_text(double bytes) {
    constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    int unit = 0;
    while (bytes >= 1024 && unit < 5) {
        bytes /= 1024;
        ++unit;
    }
    return unit == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

std::string duration_text(double seconds) {
    if (seconds < 60) return fmt::format("{:.1f} s", seconds);
    if (seconds < 3600) return fmt::format("{:.0f} min {:.0f} s", std::floor(seconds / 60), std::fmod(seconds, 60));
    return fmt::format("{:.0f} h {:.0f} min", std::floor(seconds / 3600), std::fmod(seconds, 3600) / 60);
}

std::string utc_text(std::chrono::system_clock::time_point t) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

// A round top for the y axis: 1, 2 or 5 times a power of ten.
double nice_ceiling(double value) {
    if (value <= 0) return 1;
    double p = std::pow(10, std::floor(std::log10(value)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * p >= value) return m * p;
    return 10 * p;
}

std::string verdict_cell(const Verdict& v, std::string_view good) {
    return fmt::format("<span class=\"{}\">{}</span>", v.ok ? "ok" : "bad",
                       html_escape(v.ok ? std::string(good) : v.reason));
}

std::string table_rows(const StateFacts& state) {
    if (state.tables.empty()) return "<tr><td colspan=\"5\">no table recorded yet</td></tr>\n";
    std::string out;
    for (const auto& t : state.tables) {
        std::string percent = "&#8212;";
        double fraction = t.phase == "copied" ? 1.0 : 0.0;
        if (t.source_rows && *t.source_rows > 0 && t.phase != "copied")
            fraction = std::min(1.0, static_cast<double>(t.rows_copied) / static_cast<double>(*t.source_rows));
        if (t.source_rows || t.phase == "copied") percent = fmt::format("{:.0f}%", fraction * 100);
        out += fmt::format(
            "<tr><td class=\"table-name\">{}</td><td>{}</td><td class=\"num\">{}{}</td><td class=\"num\">{}</td>"
            "<td><svg class=\"bar\" width=\"120\" height=\"10\" role=\"img\" aria-label=\"{} copied\">"
            "<rect width=\"120\" height=\"10\" fill=\"#e3e7ec\"/><rect width=\"{:.0f}\" height=\"10\" "
            "fill=\"#2f7d4f\"/>"
            "</svg> {}</td></tr>\n",
            html_escape(t.table), html_escape(t.phase), t.rows_copied,
            t.source_rows ? fmt::format(" / {}", *t.source_rows) : std::string(),
            html_escape(size_text(static_cast<double>(t.bytes_copied))), percent, fraction * 120, percent);
    }
    return out;
}

std::string pipeline_section(const PipelineView& p, std::chrono::system_clock::time_point now) {
    std::string phase = p.state.phase.empty() ? p.stage : p.state.phase;
    std::string checkpoint = p.state.checkpoint_lsn ? *p.state.checkpoint_lsn : std::string("none yet");
    std::string age = p.checkpoint_age_seconds ? duration_text(*p.checkpoint_age_seconds) + " ago" : "&#8212;";
    std::string out = fmt::format("<section class=\"pipeline\" id=\"pipeline-{}\">\n<h2>Pipeline {}</h2>\n",
                                  html_escape(p.name), html_escape(p.name));
    out += "<dl class=\"facts\">\n";
    out += fmt::format("<dt>phase</dt><dd class=\"phase\">{}</dd>\n", html_escape(phase));
    out += fmt::format("<dt>stage</dt><dd>{}{}</dd>\n", html_escape(p.stage),
                       p.stage_reason.empty() ? std::string() : " (" + html_escape(p.stage_reason) + ")");
    out += fmt::format("<dt>slot</dt><dd>{}</dd>\n", html_escape(p.slot));
    out += fmt::format("<dt>health</dt><dd>{}</dd>\n", verdict_cell(p.health, "ok"));
    out += fmt::format("<dt>ready</dt><dd>{}</dd>\n", verdict_cell(p.readiness, "ready"));
    out += fmt::format("<dt>lag</dt><dd class=\"lag\">{} behind, {}</dd>\n", duration_text(p.lag_seconds),
                       html_escape(size_text(p.lag_bytes)));
    out += fmt::format("<dt>last checkpoint</dt><dd>{} ({})</dd>\n", html_escape(checkpoint), age);
    out += fmt::format("<dt>conflicts pending review</dt><dd class=\"pending-reviews\">{}</dd>\n",
                       p.state.pending_reviews);
    out += fmt::format("<dt>dead letters</dt><dd class=\"dead-letters\">{}</dd>\n", p.state.dead_letters);
    if (p.state.state_bytes)
        out += fmt::format("<dt>state size</dt><dd>{}</dd>\n",
                           html_escape(size_text(static_cast<double>(*p.state.state_bytes))));
    if (!p.state.error.empty())
        out += fmt::format("<dt>state read</dt><dd class=\"bad\">{}</dd>\n", html_escape(p.state.error));
    out += "</dl>\n";
    out += "<h3>Lag over the last hour</h3>\n";
    out += lag_chart_svg(p.lag, now, p.lag_window);
    out +=
        "<h3>Tables</h3>\n<table class=\"tables\">\n<thead><tr><th>table</th><th>state</th><th>rows copied</th>"
        "<th>bytes copied</th><th>copy progress</th></tr></thead>\n<tbody>\n";
    out += table_rows(p.state);
    out += "</tbody>\n</table>\n</section>\n";
    return out;
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string lag_chart_svg(const std::vector<LagSample>& samples, std::chrono::system_clock::time_point now,
                          std::chrono::seconds window) {
    const double plot_w = kChartWidth - kLeft - kRight;
    const double plot_h = kChartHeight - kTop - kBottom;
    const double window_s = static_cast<double>(std::max<long long>(window.count(), 1));
    double max_lag = 0;
    for (const auto& s : samples) max_lag = std::max(max_lag, s.seconds);
    double top = nice_ceiling(max_lag);

    std::string out = fmt::format(
        "<svg class=\"lag-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
        "viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"lag in seconds over the last {2:.0f} minutes\">\n"
        "<title>lag in seconds over the last {2:.0f} minutes</title>\n"
        "<rect x=\"{3}\" y=\"{4}\" width=\"{5:.0f}\" height=\"{6:.0f}\" fill=\"#f7f9fb\" stroke=\"#c8d0d8\"/>\n",
        kChartWidth, kChartHeight, window_s / 60, kLeft, kTop, plot_w, plot_h);
    // Horizontal grid lines with their values.
    for (int i = 0; i <= 4; ++i) {
        double value = top * i / 4;
        double y = kTop + plot_h - plot_h * i / 4;
        out += fmt::format(
            "<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{:.0f}\" y2=\"{:.1f}\" stroke=\"#e3e7ec\"/>"
            "<text x=\"{}\" y=\"{:.1f}\" font-size=\"11\" text-anchor=\"end\" fill=\"#445\">{}</text>\n",
            kLeft, y, kLeft + plot_w, y, kLeft - 6, y + 4, fmt::format("{:.3g}", value));
    }
    for (int i = 0; i <= 4; ++i) {
        double x = kLeft + plot_w * i / 4;
        double minutes_ago = window_s / 60 * (4 - i) / 4;
        out +=
            fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#445\">{}</text>\n",
                        x, kChartHeight - 8, i == 4 ? std::string("now") : fmt::format("-{:.0f} min", minutes_ago));
    }
    if (samples.empty()) {
        out += fmt::format(
            "<text class=\"no-data\" x=\"{:.0f}\" y=\"{:.0f}\" font-size=\"13\" text-anchor=\"middle\" "
            "fill=\"#667\">no samples yet</text>\n",
            kLeft + plot_w / 2, kTop + plot_h / 2);
    } else {
        std::string points;
        for (const auto& s : samples) {
            double ago = std::chrono::duration<double>(now - s.at).count();
            double x = kLeft + plot_w * std::clamp(1.0 - ago / window_s, 0.0, 1.0);
            double y = kTop + plot_h - plot_h * std::clamp(s.seconds / top, 0.0, 1.0);
            if (!points.empty()) points += ' ';
            points += fmt::format("{:.1f},{:.1f}", x, y);
        }
        // A single sample is drawn as a dot so it is visible.
        if (samples.size() == 1) {
            auto comma = points.find(',');
            out += fmt::format("<circle class=\"lag-line\" cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"#1f5fa8\"/>\n",
                               points.substr(0, comma), points.substr(comma + 1));
        } else {
            out += fmt::format(
                "<polyline class=\"lag-line\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\" points=\"{}\"/>\n",
                points);
        }
    }
    out += "</svg>\n";
    return out;
}

std::string render_status_page(const StatusView& view) {
    std::string out;
    out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n";
    out += "<meta http-equiv=\"refresh\" content=\"10\"/>\n";
    out +=
        "<title>tidemark status</title>\n<style>\n"
        "body{font-family:system-ui,sans-serif;margin:24px;color:#1d2733;background:#fff}\n"
        "h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:24px 0 8px}h3{font-size:15px;margin:16px 0 6px}\n"
        ".meta{color:#556;font-size:13px}\n"
        "dl.facts{display:grid;grid-template-columns:max-content auto;gap:4px 16px;font-size:14px}\n"
        "dt{color:#556}dd{margin:0}\n"
        ".ok{color:#2f7d4f;font-weight:600}.bad{color:#b3261e;font-weight:600}\n"
        "table.tables{border-collapse:collapse;font-size:13px}\n"
        "table.tables th,table.tables td{border-bottom:1px solid #e3e7ec;padding:4px 10px;text-align:left}\n"
        "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
        "</style>\n</head>\n<body>\n";
    out += "<h1>tidemark status</h1>\n";
    out += fmt::format("<p class=\"meta\">tidemark {} on {}, {}</p>\n", html_escape(view.version),
                       html_escape(view.host), utc_text(view.now));
    if (view.pipelines.empty()) out += "<p>No pipeline is running in this process.</p>\n";
    for (const auto& p : view.pipelines) out += pipeline_section(p, view.now);
    out += "</body>\n</html>\n";
    return out;
}

}  // namespace tidemark::metrics
