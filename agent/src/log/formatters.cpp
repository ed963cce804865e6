// See formatters.hpp.
#include "log/formatters.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

#include "log/event.hpp"

namespace tidemark::log {
namespace {

void append(spdlog::memory_buf_t& dest, std::string_view text) { dest.append(text.data(), text.data() + text.size()); }

// UTC with `digits` fractional digits (3 or 6).
void append_time(spdlog::memory_buf_t& dest, spdlog::log_clock::time_point time, int digits) {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(micros / 1000000);
    long frac = static_cast<long>(micros % 1000000);
    if (frac < 0) {
        frac += 1000000;
        --secs;
    }
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.", tm.tm_year + 1900, tm.tm_mon + 1,
                          tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (digits == 3)
        n += std::snprintf(buf + n, sizeof buf - n, "%03ldZ", frac / 1000);
    else
        n += std::snprintf(buf + n, sizeof buf - n, "%06ldZ", frac);
    dest.append(buf, buf + n);
}

std::string_view level_name(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::trace: return "trace";
        case spdlog::level::debug: return "debug";
        case spdlog::level::info: return "info";
        case spdlog::level::warn: return "warn";
        case spdlog::level::err: return "error";
        case spdlog::level::critical: return "critical";
        default: return "off";
    }
}

void append_json_string(spdlog::memory_buf_t& dest, std::string_view s) {
    dest.push_back('"');
    for (char c : s) {
        switch (c) {
            case '"': append(dest, "\\\""); break;
            case '\\': append(dest, "\\\\"); break;
            case '\n': append(dest, "\\n"); break;
            case '\r': append(dest, "\\r"); break;
            case '\t': append(dest, "\\t"); break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    int n = std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                    dest.append(buf, buf + n);
                } else {
                    dest.push_back(c);
                }
        }
    }
    dest.push_back('"');
}

bool needs_quotes(std::string_view value) {
    if (value.empty()) return true;
    for (char c : value)
        if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
    return false;
}

}  // namespace

void PlainFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
    DecodedEvent event = decode_event(std::string_view(msg.payload.data(), msg.payload.size()));
    append_time(dest, msg.time, 3);
    dest.push_back(' ');
    std::string_view level = level_name(msg.level);
    append(dest, level);
    for (std::size_t i = level.size(); i < 5; ++i) dest.push_back(' ');
    dest.push_back(' ');
    append(dest, event.message);
    for (const auto& [key, value] : event.fields) {
        dest.push_back(' ');
        append(dest, key);
        dest.push_back('=');
        if (needs_quotes(value))
            append_json_string(dest, value);
        else
            append(dest, value);
    }
    dest.push_back('\n');
}

std::unique_ptr<spdlog::formatter> PlainFormatter::clone() const { return std::make_unique<PlainFormatter>(); }

void JsonFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
    DecodedEvent event = decode_event(std::string_view(msg.payload.data(), msg.payload.size()));
    append(dest, "{\"ts\":\"");
    append_time(dest, msg.time, 6);
    append(dest, "\",\"level\":");
    append_json_string(dest, level_name(msg.level));
    append(dest, ",\"msg\":");
    append_json_string(dest, event.message);
    for (const auto& [key, value] : event.fields) {
        // The three keys of every line cannot be overwritten by a field.
        if (key == "ts" || key == "level" || key == "msg") continue;
        dest.push_back(',');
        append_json_string(dest, key);
        dest.push_back(':');
        append_json_string(dest, value);
    }
    append(dest, "}\n");
}

std::unique_ptr<spdlog::formatter> JsonFormatter::clone() const { return std::make_unique<JsonFormatter>(); }

}  // namespace tidemark::log
