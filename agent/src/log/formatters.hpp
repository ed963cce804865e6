// The two spdlog formatters of tidemark's logs: plain lines for people
// and JSON lines for log collectors.  Both decode the fields that
// log::write packs into the message.  Must not: write anywhere themselves.
#pragma once

#include <memory>

#include <spdlog/formatter.h>

namespace tidemark::log {

// "2026-11-24T02:32:27.123Z info  message key=value key2="two words""
class PlainFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
    std::unique_ptr<spdlog::formatter> clone() const override;
};

// {"ts":"2026-11-24T02:32:27.123456Z","level":"info","msg":"...","key":"value"}
class JsonFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
    std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace tidemark::log
