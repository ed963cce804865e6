// Structured log events: a message plus key/value fields, written through
// spdlog's default logger.  The fields travel inside the message text,
// separated by control characters that the formatters (plain_formatter,
// json_formatter) take apart, so the choice of output format stays with
// the sink and no global of ours is needed.
// Must not: be given a conninfo or password as a field (mask it first).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/common.h>

namespace tidemark::log {

struct Field {
    std::string_view key;
    std::string value;
};

inline constexpr char kFieldSeparator = '\x1f';
inline constexpr char kValueSeparator = '\x1e';

// The message and fields encoded as one payload for spdlog.
std::string encode_event(std::string_view message, std::initializer_list<Field> fields);

struct DecodedEvent {
    std::string_view message;
    std::vector<std::pair<std::string_view, std::string_view>> fields;
};

// Splits a payload made by encode_event; a plain payload has no fields.
DecodedEvent decode_event(std::string_view payload);

void write(spdlog::level::level_enum level, std::string_view message, std::initializer_list<Field> fields = {});

inline void debug(std::string_view message, std::initializer_list<Field> fields = {}) {
    write(spdlog::level::debug, message, fields);
}
inline void info(std::string_view message, std::initializer_list<Field> fields = {}) {
    write(spdlog::level::info, message, fields);
}
inline void warn(std::string_view message, std::initializer_list<Field> fields = {}) {
    write(spdlog::level::warn, message, fields);
}
inline void error(std::string_view message, std::initializer_list<Field> fields = {}) {
    write(spdlog::level::err, message, fields);
}

}  // namespace tidemark::log
