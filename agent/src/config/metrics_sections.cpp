// See metrics_sections.hpp.
#include "config/metrics_sections.hpp"

#include <arpa/inet.h>

#include <charconv>

#include "config/config_error.hpp"

namespace tidemark::config {
namespace {

bool is_ip(const std::string& host, bool v6) {
    unsigned char buf[16];
    return inet_pton(v6 ? AF_INET6 : AF_INET, host.c_str(), buf) == 1;
}

std::optional<std::int64_t> threshold(SectionReader& section, std::string_view key) { return section.integer(key, 0); }

}  // namespace

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
    std::string_view host, port;
    bool v6 = false;
    if (text.starts_with("[")) {
        auto close = text.find("]:");
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        v6 = true;
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    ListenAddress out;
    out.host = std::string(host);
    if (out.host.empty()) return std::nullopt;
    if (!(out.host == "localhost" && !v6) && !is_ip(out.host, v6)) return std::nullopt;
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || port.empty() || value == 0 || value > 65535)
        return std::nullopt;
    out.port = static_cast<std::uint16_t>(value);
    return out;
}

void parse_metrics(SectionReader& section, Config& config) {
    MetricsConfig& m = config.metrics;
    if (auto listen = section.string("listen")) {
        auto address = parse_listen_address(*listen);
        if (!address)
            section.invalid("listen",
                            "expected host:port with an IP address or localhost and a port from 1 to 65535, such as "
                            "\"127.0.0.1:9187\", \"0.0.0.0:9187\" or \"[::1]:9187\"; leave it out to turn the "
                            "metrics server off");
        m.enabled = true;
        m.host = address->host;
        m.port = address->port;
    }
    if (auto lag = section.duration("ready_max_lag")) {
        if (lag->count() < 1) section.invalid("ready_max_lag", "must be at least 1ms");
        m.ready_max_lag = *lag;
    }
    if (auto stalled = section.duration("stalled_after")) {
        if (*stalled < std::chrono::seconds(1)) section.invalid("stalled_after", "must be at least 1s");
        m.stalled_after = *stalled;
    }
}

void parse_alerts(SectionReader& section, Config& config) {
    AlertsConfig& a = config.alerts;
    if (auto command = section.string("command")) {
        if (command->empty()) section.invalid("command", "leave it out to only log alerts");
        a.command = *command;
    }
    if (auto d = section.duration("min_interval")) a.min_interval = *d;
    if (auto d = section.duration("check_interval")) {
        if (*d < std::chrono::milliseconds(100)) section.invalid("check_interval", "must be at least 100ms");
        a.check_interval = *d;
    }
    if (auto d = section.duration("command_timeout")) {
        if (*d < std::chrono::milliseconds(100)) section.invalid("command_timeout", "must be at least 100ms");
        a.command_timeout = *d;
    }
    a.lag_bytes = section.byte_size("lag_bytes");
    a.lag_time = section.duration("lag_time");
    a.conflicts_per_minute = threshold(section, "conflicts_per_minute");
    a.pending_reviews = threshold(section, "pending_reviews");
    a.dead_letters = threshold(section, "dead_letters");
    a.errors_per_minute = threshold(section, "errors_per_minute");
}

}  // namespace tidemark::config
