// The [metrics] and [alerts] sections: where the metrics, health and
// status endpoints listen, what "ready" and "healthy" mean, and the alert
// thresholds with the command that hears about each crossing.
// Must not: hold anything not read from the file.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace tidemark::config {

struct MetricsConfig {
    // Off when [metrics] listen is absent.
    bool enabled = false;
    std::string host;  // IP address or "localhost"; IPv6 without brackets
    std::uint16_t port = 0;
    // /readyz answers 503 while the lag (age of the oldest unapplied
    // change) is above this.
    std::chrono::milliseconds ready_max_lag{60000};
    // /healthz answers 503 when the apply loop has made no progress, or a
    // reconnection has lasted, longer than this.
    std::chrono::milliseconds stalled_after{120000};
};

struct AlertsConfig {
    // Run through /bin/sh -c with the alert as JSON on standard input.
    std::optional<std::string> command;
    std::chrono::milliseconds min_interval{5 * 60 * 1000};
    std::chrono::milliseconds check_interval{10000};
    std::chrono::milliseconds command_timeout{30000};
    // Thresholds: an alert fires when the value goes above one.
    std::optional<std::uint64_t> lag_bytes;
    std::optional<std::chrono::milliseconds> lag_time;
    std::optional<std::int64_t> conflicts_per_minute;
    std::optional<std::int64_t> pending_reviews;
    std::optional<std::int64_t> dead_letters;
    std::optional<std::int64_t> errors_per_minute;
};

}  // namespace tidemark::config
