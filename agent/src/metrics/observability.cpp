// See observability.hpp.
#include "metrics/observability.hpp"

#include "alerts/alert_command.hpp"
#include "log/event.hpp"
#include "metrics/families.hpp"
#include "metrics/prometheus_text.hpp"
#include "pg/timestamp.hpp"

namespace tidemark::metrics {
namespace {

constexpr std::array<Stage, 6> kStages{Stage::starting,     Stage::copying, Stage::streaming,
                                       Stage::reconnecting, Stage::stopped, Stage::failed};

HttpResponse text(int status, std::string body) {
    return HttpResponse{status, "text/plain; charset=utf-8", std::move(body), {}};
}

}  // namespace

Observability::Observability(const config::Config& config)
    : settings_(config.metrics),
      alert_settings_(config.alerts),
      alerts_(config.alerts),
      next_alert_check_(std::chrono::steady_clock::now()),
      host_(alerts::host_name()) {
    declare_families(registry_);
    gauge(registry_, family::kBuildInfo, {TIDEMARK_VERSION}).set(1);
    if (settings_.enabled) {
        server_ = std::make_unique<HttpServer>(settings_.host, settings_.port,
                                               [this](const HttpRequest& r) { return handle(r); });
        log::info("metrics server listening", {{"address", settings_.host + ":" + std::to_string(server_->port())},
                                               {"endpoints", "/metrics /healthz /readyz /"}});
    }
    monitor_ = std::jthread([this](std::stop_token stop) { run(std::move(stop)); });
}

Observability::~Observability() {
    monitor_.request_stop();
    wake_.notify_all();
    if (monitor_.joinable()) monitor_.join();
    server_.reset();
}

std::shared_ptr<PipelineStatus> Observability::pipeline(const std::string& name, const std::string& slot) {
    std::lock_guard lock(mutex_);
    for (const auto& p : pipelines_)
        if (p->name() == name) return p;
    pipelines_.push_back(std::make_shared<PipelineStatus>(name, slot));
    return pipelines_.back();
}

std::vector<std::shared_ptr<PipelineStatus>> Observability::pipelines() const {
    std::lock_guard lock(mutex_);
    return pipelines_;
}

std::optional<std::uint16_t> Observability::port() const {
    if (!server_) return std::nullopt;
    return server_->port();
}

void Observability::tick() {
    auto now = std::chrono::system_clock::now();
    auto steady = std::chrono::steady_clock::now();
    std::vector<alerts::PipelineValues> values;
    for (const auto& p : pipelines()) {
        double lag_s = p->lag_seconds(now);
        double lag_b = p->lag_bytes();
        const std::string& n = p->name();
        gauge(registry_, family::kLagSeconds, {n}).set(lag_s);
        gauge(registry_, family::kLagBytes, {n}).set(lag_b);
        Stage stage = p->stage();
        for (Stage s : kStages) gauge(registry_, family::kStage, {n, to_string(s)}).set(s == stage ? 1 : 0);
        if (auto age = p->checkpoint_age(now)) gauge(registry_, family::kCheckpointAge, {n}).set(*age);
        if (stage == Stage::streaming || stage == Stage::reconnecting) p->lag_history().add(now, lag_s, lag_b);
        StateFacts facts = p->state();
        values.push_back({n, lag_b, lag_s, registry_.sum(family::kConflicts.name, "pipeline", n),
                          static_cast<double>(facts.pending_reviews), static_cast<double>(facts.dead_letters),
                          registry_.sum(family::kErrors.name, "pipeline", n)});
    }
    if (alerts_.active() && steady >= next_alert_check_) {
        next_alert_check_ = steady + alert_settings_.check_interval;
        alerts_.check(values, steady, pg::pg_now());
    }
}

void Observability::run(std::stop_token stop) {
    while (!stop.stop_requested()) {
        try {
            tick();
        } catch (const std::exception& e) {
            log::warn("the metrics monitor hit an error; it tries again in a second", {{"error", e.what()}});
        }
        std::unique_lock lock(wake_mutex_);
        wake_.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
    }
}

StatusView Observability::status_view() const {
    StatusView view;
    view.version = TIDEMARK_VERSION;
    view.host = host_;
    view.now = std::chrono::system_clock::now();
    auto steady = std::chrono::steady_clock::now();
    for (const auto& p : pipelines()) {
        PipelineView v;
        v.name = p->name();
        v.slot = p->slot();
        v.stage = std::string(to_string(p->stage()));
        v.stage_reason = p->stage_reason();
        v.health = p->health(steady, settings_.stalled_after);
        v.readiness = p->readiness(view.now, settings_.ready_max_lag);
        v.lag_seconds = p->lag_seconds(view.now);
        v.lag_bytes = p->lag_bytes();
        v.checkpoint_age_seconds = p->checkpoint_age(view.now);
        v.state = p->state();
        v.lag_window = std::chrono::duration_cast<std::chrono::seconds>(p->lag_history().window());
        v.lag = p->lag_history().samples(view.now);
        view.pipelines.push_back(std::move(v));
    }
    return view;
}

HttpResponse Observability::handle(const HttpRequest& request) const {
    if (request.method != "GET" && request.method != "HEAD") {
        HttpResponse r = text(405, "only GET and HEAD are served\n");
        r.headers["Allow"] = "GET, HEAD";
        return r;
    }
    std::string path = request.target.substr(0, request.target.find('?'));
    if (path == "/metrics")
        return HttpResponse{200, std::string(kPrometheusContentType), prometheus_text(registry_.collect()), {}};
    if (path == "/healthz") {
        auto steady = std::chrono::steady_clock::now();
        std::string reasons;
        for (const auto& p : pipelines()) {
            Verdict v = p->health(steady, settings_.stalled_after);
            if (!v.ok) reasons += v.reason + "\n";
        }
        return reasons.empty() ? text(200, "ok\n") : text(503, reasons);
    }
    if (path == "/readyz") {
        auto now = std::chrono::system_clock::now();
        auto all = pipelines();
        if (all.empty()) return text(503, "no pipeline has started yet\n");
        std::string reasons;
        for (const auto& p : all) {
            Verdict v = p->readiness(now, settings_.ready_max_lag);
            if (!v.ok) reasons += v.reason + "\n";
        }
        return reasons.empty() ? text(200, "ready\n") : text(503, reasons);
    }
    if (path == "/" || path == "/index.html")
        return HttpResponse{200, "text/html; charset=utf-8", render_status_page(status_view()), {}};
    return text(404, "not found; try /metrics, /healthz, /readyz or /\n");
}

}  // namespace tidemark::metrics
