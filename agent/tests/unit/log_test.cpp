// Unit tests of the log formatters: fields survive the trip through spdlog
// and come out as key=value (plain) or JSON members (json).
#include <gtest/gtest.h>

#include <string>

#include <spdlog/details/log_msg.h>

#include "log/event.hpp"
#include "log/formatters.hpp"
#include "log/log_format.hpp"

namespace tidemark::log {
namespace {

std::string format_with(spdlog::formatter& f, spdlog::level::level_enum level, const std::string& payload) {
    spdlog::details::log_msg msg("tidemark", level, spdlog::string_view_t(payload.data(), payload.size()));
    msg.time = spdlog::log_clock::time_point(std::chrono::seconds(1767323045));  // 2026-01-02T03:04:05Z
    spdlog::memory_buf_t buf;
    f.format(msg, buf);
    return std::string(buf.data(), buf.size());
}

TEST(LogEvent, EncodesAndDecodesFields) {
    std::string payload = encode_event("slot created", {{"slot", "app"}, {"lsn", "0/16B3748"}});
    DecodedEvent e = decode_event(payload);
    EXPECT_EQ(e.message, "slot created");
    ASSERT_EQ(e.fields.size(), 2u);
    EXPECT_EQ(e.fields[0].first, "slot");
    EXPECT_EQ(e.fields[1].second, "0/16B3748");
    EXPECT_TRUE(decode_event("plain text").fields.empty());
}

TEST(LogFormat, PlainLines) {
    PlainFormatter f;
    std::string line =
        format_with(f, spdlog::level::warn, encode_event("lag high", {{"slot", "app"}, {"reason", "two words"}}));
    EXPECT_EQ(line, "2026-01-02T03:04:05.000Z warn  lag high slot=app reason=\"two words\"\n");
}

TEST(LogFormat, JsonLines) {
    JsonFormatter f;
    std::string line = format_with(f, spdlog::level::info,
                                   encode_event("say \"hi\"\n", {{"slot", "app"}, {"msg", "cannot overwrite"}}));
    EXPECT_EQ(line,
              "{\"ts\":\"2026-01-02T03:04:05.000000Z\",\"level\":\"info\",\"msg\":\"say \\\"hi\\\"\\n\","
              "\"slot\":\"app\"}\n");
}

TEST(LogFormat, ParsesTheCommandLineNames) {
    EXPECT_EQ(parse_log_format("plain"), LogFormat::plain);
    EXPECT_EQ(parse_log_format("json"), LogFormat::json);
    EXPECT_FALSE(parse_log_format("JSON").has_value());
}

}  // namespace
}  // namespace tidemark::log
