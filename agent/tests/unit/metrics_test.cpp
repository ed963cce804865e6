// The metrics module without a database: the Prometheus text format and
// its escaping, histogram buckets, the registry's families, the lag
// history's window, health and readiness verdicts, the status page's HTML
// (well formed, holding the facts) and the HTTP routes.
#include <gtest/gtest.h>

#include <regex>
#include <stack>

#include "config/config_loader.hpp"
#include "metrics/families.hpp"
#include "metrics/histogram.hpp"
#include "metrics/lag_history.hpp"
#include "metrics/observability.hpp"
#include "metrics/pipeline_status.hpp"
#include "metrics/prometheus_text.hpp"
#include "metrics/registry.hpp"
#include "metrics/status_page.hpp"

namespace tidemark::metrics {
namespace {

using namespace std::chrono_literals;

TEST(PrometheusText, CounterGaugeWithHelpTypeAndEscapedLabels) {
    Registry r;
    r.counter("tidemark_x_total", "Help with \\ and\nnewline.", {{"table", "\"public\".\"a\\b\"\nc"}}).add(3);
    r.gauge("tidemark_g", "A gauge.", {}).set(1.5);
    std::string text = prometheus_text(r.collect());
    EXPECT_NE(text.find("# HELP tidemark_x_total Help with \\\\ and\\nnewline.\n"), std::string::npos) << text;
    EXPECT_NE(text.find("# TYPE tidemark_x_total counter\n"), std::string::npos);
    EXPECT_NE(text.find("tidemark_x_total{table=\"\\\"public\\\".\\\"a\\\\b\\\"\\nc\"} 3\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("# TYPE tidemark_g gauge\ntidemark_g 1.5\n"), std::string::npos) << text;
}

TEST(PrometheusText, Values) {
    EXPECT_EQ(format_value(0), "0");
    EXPECT_EQ(format_value(42), "42");
    EXPECT_EQ(format_value(0.25), "0.25");
    EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(format_value(std::nan("")), "NaN");
}

TEST(PrometheusText, DeclaredFamilyWithoutSeriesIsExposed) {
    Registry r;
    declare_families(r);
    std::string text = prometheus_text(r.collect());
    for (const FamilyInfo* f : family::kAll) {
        EXPECT_NE(text.find("# TYPE " + std::string(f->name) + " "), std::string::npos) << f->name;
        EXPECT_TRUE(f->name.starts_with("tidemark_")) << f->name;
    }
}

TEST(Histogram, BucketsAreCumulativeAndInclusive) {
    const double bounds[] = {0.1, 1, 10};
    Histogram h(bounds);
    for (double v : {0.05, 0.1, 0.5, 1.0, 5.0, 100.0}) h.observe(v);
    auto s = h.snapshot();
    ASSERT_EQ(s.cumulative.size(), 4u);
    EXPECT_EQ(s.cumulative[0], 2u);  // 0.05 and 0.1 (le is inclusive)
    EXPECT_EQ(s.cumulative[1], 4u);
    EXPECT_EQ(s.cumulative[2], 5u);
    EXPECT_EQ(s.cumulative[3], 6u);  // +Inf
    EXPECT_EQ(s.count, 6u);
    EXPECT_DOUBLE_EQ(s.sum, 106.65);
}

TEST(Histogram, RefusesUnorderedBounds) {
    const double bad[] = {1, 1};
    EXPECT_THROW(Histogram h(bad), std::invalid_argument);
}

TEST(PrometheusText, HistogramLines) {
    Registry r;
    const double bounds[] = {0.5, 2};
    r.histogram("tidemark_h_seconds", "H.", {{"pipeline", "p"}}, bounds).observe(1);
    std::string text = prometheus_text(r.collect());
    EXPECT_NE(text.find("# TYPE tidemark_h_seconds histogram\n"
                        "tidemark_h_seconds_bucket{pipeline=\"p\",le=\"0.5\"} 0\n"
                        "tidemark_h_seconds_bucket{pipeline=\"p\",le=\"2\"} 1\n"
                        "tidemark_h_seconds_bucket{pipeline=\"p\",le=\"+Inf\"} 1\n"
                        "tidemark_h_seconds_sum{pipeline=\"p\"} 1\n"
                        "tidemark_h_seconds_count{pipeline=\"p\"} 1\n"),
              std::string::npos)
        << text;
}

TEST(Registry, SameSeriesSameObjectAndMisuseRefused) {
    Registry r;
    Counter& a = r.counter("tidemark_c_total", "C.", {{"pipeline", "p"}});
    Counter& b = r.counter("tidemark_c_total", "C.", {{"pipeline", "p"}});
    EXPECT_EQ(&a, &b);
    r.counter("tidemark_c_total", "C.", {{"pipeline", "q"}}).add(2);
    a.add(1);
    EXPECT_EQ(r.sum("tidemark_c_total", "pipeline", "p"), 1);
    EXPECT_EQ(r.sum("tidemark_c_total"), 3);
    EXPECT_THROW(r.gauge("tidemark_c_total", "C.", {{"pipeline", "p"}}), std::logic_error);
    EXPECT_THROW(r.counter("tidemark_c_total", "C.", {{"table", "p"}}), std::logic_error);
    EXPECT_THROW(r.counter("bad name", "C.", {}), std::logic_error);
}

TEST(LagHistory, KeepsTheWorstPerStepAndDropsOldSamples) {
    LagHistory h(std::chrono::seconds(60), std::chrono::seconds(10));
    auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1000000));
    h.add(t0, 1, 10);
    h.add(t0 + 3s, 5, 50);  // same step: the worst is kept
    h.add(t0 + 4s, 2, 20);
    h.add(t0 + 15s, 3, 30);
    auto s = h.samples(t0 + 15s);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].seconds, 5);
    EXPECT_EQ(s[0].bytes, 50);
    EXPECT_EQ(s[1].seconds, 3);
    h.add(t0 + 200s, 0, 0);
    s = h.samples(t0 + 200s);
    ASSERT_EQ(s.size(), 1u) << "samples older than the window are gone";
    EXPECT_EQ(s[0].seconds, 0);
}

TEST(PipelineStatus, ReadinessAndHealth) {
    PipelineStatus p("app", "tm_app");
    auto now = std::chrono::system_clock::now();
    auto steady = std::chrono::steady_clock::now();
    EXPECT_FALSE(p.readiness(now, 60s).ok);
    p.set_stage(Stage::copying);
    auto copying = p.readiness(now, 60s);
    EXPECT_FALSE(copying.ok);
    EXPECT_NE(copying.reason.find("copying"), std::string::npos);
    EXPECT_TRUE(p.health(steady, 120s).ok);
    p.set_stage(Stage::streaming);
    EXPECT_TRUE(p.readiness(now, 60s).ok);
    // Behind: the last applied commit is five minutes old and bytes are pending.
    p.note_server_end(2000);
    p.note_durable(1000);
    auto old = std::chrono::duration_cast<std::chrono::microseconds>((now - 300s).time_since_epoch()).count() -
               946684800LL * 1000000LL;
    p.note_checkpoint(old);
    EXPECT_EQ(p.lag_bytes(), 1000);
    EXPECT_NEAR(p.lag_seconds(now), 300, 1);
    auto lagging = p.readiness(now, 60s);
    EXPECT_FALSE(lagging.ok);
    EXPECT_NE(lagging.reason.find("ready_max_lag"), std::string::npos) << lagging.reason;
    p.note_durable(2000);
    EXPECT_EQ(p.lag_seconds(now), 0) << "caught up: no lag";
    EXPECT_TRUE(p.readiness(now, 60s).ok);
    // The apply loop stopped making progress.
    EXPECT_TRUE(p.health(std::chrono::steady_clock::now(), 120s).ok);
    auto stalled = p.health(std::chrono::steady_clock::now() + 200s, 120s);
    EXPECT_FALSE(stalled.ok);
    EXPECT_NE(stalled.reason.find("no progress"), std::string::npos) << stalled.reason;
    p.set_stage(Stage::reconnecting, "the target is down");
    auto disconnected = p.readiness(now, 60s);
    EXPECT_FALSE(disconnected.ok);
    EXPECT_NE(disconnected.reason.find("disconnected"), std::string::npos);
    EXPECT_FALSE(p.health(std::chrono::steady_clock::now() + 200s, 120s).ok);
}

// Every element opened is closed, in order (void elements aside), and
// attribute values are quoted: what a strict XML reader would accept.
bool well_formed(const std::string& html, std::string& why) {
    static const std::set<std::string> kVoid{"meta", "br", "hr", "img", "link", "input"};
    std::stack<std::string> open;
    std::regex tag(R"(<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z][a-zA-Z0-9:-]*="[^"<>]*")*)\s*(/?)>)");
    std::size_t pos = html.find("<html");
    if (pos == std::string::npos) {
        why = "no <html>";
        return false;
    }
    auto begin = std::sregex_iterator(html.begin() + static_cast<long>(pos), html.end(), tag);
    std::size_t expected = pos;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
        const auto& m = *it;
        std::size_t at = static_cast<std::size_t>(m.position()) + pos;
        std::string between = html.substr(expected, at - expected);
        if (between.find('<') != std::string::npos) {
            why = "unparsed markup: " + between.substr(0, 80);
            return false;
        }
        expected = at + static_cast<std::size_t>(m.length());
        std::string name = m[2];
        if (m[1] == "/") {
            if (open.empty() || open.top() != name) {
                why = "</" + name + "> closes " + (open.empty() ? "nothing" : open.top());
                return false;
            }
            open.pop();
        } else if (m[4] != "/" && !kVoid.count(name)) {
            open.push(name);
        }
    }
    if (!open.empty()) {
        why = "<" + open.top() + "> is never closed";
        return false;
    }
    return true;
}

TEST(StatusPage, WellFormedWithTheFacts) {
    StatusView view;
    view.version = "9.9";
    view.host = "db<host>";
    view.now = std::chrono::system_clock::now();
    PipelineView p;
    p.name = "app";
    p.slot = "tm_app";
    p.stage = "streaming";
    p.health = {true, "ok"};
    p.readiness = {false, "pipeline app lags 90s behind the source, more than ready_max_lag (60s)"};
    p.lag_seconds = 90;
    p.lag_bytes = 123456;
    p.checkpoint_age_seconds = 4;
    p.state.phase = "streaming";
    p.state.pending_reviews = 7;
    p.state.dead_letters = 3;
    p.state.checkpoint_lsn = "0/16B3748";
    p.state.tables = {{"\"public\".\"items\"", "copied", 5000, 400000, 5000},
                      {"\"public\".\"a&b\"", "copying", 50, 1000, 100}};
    for (int i = 0; i < 30; ++i) p.lag.push_back({view.now - std::chrono::seconds(600 - i * 10), i * 3.0, i * 100.0});
    view.pipelines.push_back(p);
    std::string html = render_status_page(view);
    std::string why;
    EXPECT_TRUE(well_formed(html, why)) << why;
    EXPECT_EQ(html.find("<script"), std::string::npos) << "no JavaScript";
    EXPECT_EQ(html.find("src=\"http"), std::string::npos) << "no external assets";
    EXPECT_EQ(html.find("href=\"http"), std::string::npos);
    EXPECT_NE(html.find("<svg class=\"lag-chart\""), std::string::npos);
    EXPECT_NE(html.find("<polyline class=\"lag-line\""), std::string::npos);
    EXPECT_NE(html.find("&quot;public&quot;.&quot;items&quot;"), std::string::npos);
    EXPECT_NE(html.find("&quot;public&quot;.&quot;a&amp;b&quot;"), std::string::npos) << "names are escaped";
    EXPECT_NE(html.find("db&lt;host&gt;"), std::string::npos);
    EXPECT_NE(html.find("<dd class=\"pending-reviews\">7</dd>"), std::string::npos);
    EXPECT_NE(html.find("<dd class=\"dead-letters\">3</dd>"), std::string::npos);
    EXPECT_NE(html.find("<dd class=\"phase\">streaming</dd>"), std::string::npos);
    EXPECT_NE(html.find("0/16B3748"), std::string::npos);
    EXPECT_NE(html.find("50%"), std::string::npos) << "copy progress of the table being copied";
    EXPECT_NE(html.find("ready_max_lag"), std::string::npos);
}

TEST(StatusPage, EmptyChartSaysSo) {
    std::string svg = lag_chart_svg({}, std::chrono::system_clock::now(), std::chrono::hours(1));
    EXPECT_NE(svg.find("no samples yet"), std::string::npos);
    EXPECT_EQ(svg.find("lag-line"), std::string::npos);
}

TEST(Observability, RoutesWithoutAServer) {
    auto config = config::parse_config("[source]\nconninfo = \"dbname=a\"\n[target]\nconninfo = \"dbname=b\"\n", "t");
    Observability o(config);
    EXPECT_FALSE(o.port());
    EXPECT_EQ(o.handle({"GET", "/healthz"}).status, 200);
    EXPECT_EQ(o.handle({"GET", "/readyz"}).status, 503) << "no pipeline yet";
    auto p = o.pipeline("app", "tm_app");
    p->set_stage(Stage::copying);
    auto ready = o.handle({"GET", "/readyz"});
    EXPECT_EQ(ready.status, 503);
    EXPECT_NE(ready.body.find("copying"), std::string::npos);
    p->set_stage(Stage::streaming);
    EXPECT_EQ(o.handle({"GET", "/readyz?verbose=1"}).status, 200);
    auto metrics = o.handle({"GET", "/metrics"});
    EXPECT_EQ(metrics.status, 200);
    EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(metrics.body.find("tidemark_build_info{version="), std::string::npos);
    auto page = o.handle({"GET", "/"});
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("Pipeline app"), std::string::npos);
    EXPECT_EQ(o.handle({"GET", "/nope"}).status, 404);
    auto post = o.handle({"POST", "/metrics"});
    EXPECT_EQ(post.status, 405);
    EXPECT_EQ(post.headers["Allow"], "GET, HEAD");
}

}  // namespace
}  // namespace tidemark::metrics
