// See event.hpp.
#include "log/event.hpp"

#include <spdlog/spdlog.h>

namespace tidemark::log {
namespace {

// Separator characters inside user text would split it wrongly.
void append_clean(std::string& out, std::string_view text) {
    for (char c : text) out += (c == kFieldSeparator || c == kValueSeparator) ? ' ' : c;
}

}  // namespace

std::string encode_event(std::string_view message, std::initializer_list<Field> fields) {
    std::string out;
    append_clean(out, message);
    for (const Field& f : fields) {
        out += kFieldSeparator;
        append_clean(out, f.key);
        out += kValueSeparator;
        append_clean(out, f.value);
    }
    return out;
}

DecodedEvent decode_event(std::string_view payload) {
    DecodedEvent event;
    std::size_t sep = payload.find(kFieldSeparator);
    event.message = payload.substr(0, sep);
    while (sep != std::string_view::npos) {
        std::size_t start = sep + 1;
        sep = payload.find(kFieldSeparator, start);
        std::string_view field = payload.substr(start, sep == std::string_view::npos ? sep : sep - start);
        std::size_t eq = field.find(kValueSeparator);
        if (eq == std::string_view::npos)
            event.fields.emplace_back(field, std::string_view());
        else
            event.fields.emplace_back(field.substr(0, eq), field.substr(eq + 1));
    }
    return event;
}

void write(spdlog::level::level_enum level, std::string_view message, std::initializer_list<Field> fields) {
    auto logger = spdlog::default_logger_raw();
    if (!logger->should_log(level)) return;
    std::string payload = encode_event(message, fields);
    logger->log(level, spdlog::string_view_t(payload.data(), payload.size()));
}

}  // namespace tidemark::log
