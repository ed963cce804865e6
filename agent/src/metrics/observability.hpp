// Observability: what one agent process exposes about itself, shared by
// the pipelines it runs: the metric registry, each pipeline's status, the
// HTTP endpoints ([metrics] listen: /metrics, /healthz, /readyz and the
// status page at /), and a monitor thread that once a second turns the
// pipelines' positions into lag gauges and lag history, and evaluates the
// [alerts] rules every check_interval.
// Must not: run queries or touch a pipeline's connections; the apply path
// never waits on anything here.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "alerts/alert_monitor.hpp"
#include "config/config.hpp"
#include "metrics/http_server.hpp"
#include "metrics/pipeline_status.hpp"
#include "metrics/registry.hpp"
#include "metrics/status_page.hpp"

namespace tidemark::metrics {

class Observability {
public:
    // Starts the HTTP server when [metrics] listen is set (throws
    // std::runtime_error when the address cannot be bound).
    explicit Observability(const config::Config& config);
    ~Observability();
    Observability(const Observability&) = delete;
    Observability& operator=(const Observability&) = delete;

    Registry& registry() noexcept { return registry_; }

    // The status of pipeline `name`, created on first call; later calls
    // (a pipeline run again in the same process) get the same one.
    std::shared_ptr<PipelineStatus> pipeline(const std::string& name, const std::string& slot);

    // Routes one request (the HTTP server calls it; tests too).
    HttpResponse handle(const HttpRequest& request) const;
    StatusView status_view() const;
    // The bound port when the server runs.
    std::optional<std::uint16_t> port() const;

    // One monitor pass at `now` (the monitor thread calls it every second).
    void tick();

private:
    std::vector<std::shared_ptr<PipelineStatus>> pipelines() const;
    void run(std::stop_token stop);

    config::MetricsConfig settings_;
    config::AlertsConfig alert_settings_;
    Registry registry_;
    mutable std::mutex mutex_;
    std::vector<std::shared_ptr<PipelineStatus>> pipelines_;
    alerts::AlertMonitor alerts_;
    std::chrono::steady_clock::time_point next_alert_check_;
    std::string host_;
    std::unique_ptr<HttpServer> server_;
    std::condition_variable_any wake_;
    std::mutex wake_mutex_;
    std::jthread monitor_;  // last: starts once everything above exists
};

}  // namespace tidemark::metrics
