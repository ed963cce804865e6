// See json_text.hpp.
#include "apply/json_text.hpp"

#include <cmath>
#include <cstdio>

namespace tidemark::apply {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < lo || second > hi) return 0;
    for (std::size_t k = 2; k < n; ++k) {
        auto cont = static_cast<unsigned char>(s[i + k]);
        if (cont < 0x80 || cont > 0xBF) return 0;
    }
    return n;
}

}  // namespace

std::string json_string(std::string_view text) {
    std::string out = "\"";
    out.reserve(text.size() + 2);
    for (std::size_t i = 0; i < text.size();) {
        char c = text[i];
        std::size_t n = utf8_sequence(text, i);
        if (n == 0) {
            out += "\\ufffd";
            ++i;
            continue;
        }
        if (n > 1) {
            out.append(text.substr(i, n));
            i += n;
            continue;
        }
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                    out += buf;
                } else {
                    out += c;
                }
        }
        ++i;
    }
    return out + "\"";
}

JsonObject& JsonObject::raw(std::string_view key, std::string value) {
    fields_.emplace_back(std::string(key), std::move(value));
    return *this;
}

JsonObject& JsonObject::str(std::string_view key, std::string_view value) { return raw(key, json_string(value)); }

JsonObject& JsonObject::num(std::string_view key, long long value) { return raw(key, std::to_string(value)); }

JsonObject& JsonObject::num(std::string_view key, double value) {
    if (!std::isfinite(value)) return null(key);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6f", value);
    return raw(key, buf);
}

JsonObject& JsonObject::boolean(std::string_view key, bool value) { return raw(key, value ? "true" : "false"); }

JsonObject& JsonObject::null(std::string_view key) { return raw(key, "null"); }

std::string JsonObject::text() const {
    std::string out = "{";
    for (std::size_t i = 0; i < fields_.size(); ++i) {
        if (i) out += ", ";
        out += json_string(fields_[i].first);
        out += ": ";
        out += fields_[i].second;
    }
    return out + "}";
}

std::string json_array(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += items[i];
    }
    return out + "]";
}

}  // namespace tidemark::apply
