// See logging.hpp.
#include "log/logging.hpp"

#include <memory>

#include <spdlog/spdlog.h>

#include "log/formatters.hpp"

namespace tidemark::log {

std::shared_ptr<TerminalSink> setup_logging(LogFormat format, spdlog::level::level_enum level) {
    auto sink = TerminalSink::for_stderr();
    if (format == LogFormat::json)
        sink->set_formatter(std::make_unique<JsonFormatter>());
    else
        sink->set_formatter(std::make_unique<PlainFormatter>());
    auto logger = std::make_shared<spdlog::logger>("tidemark", sink);
    logger->set_level(level);
    // Errors must reach the terminal even if the process dies right after.
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
    return sink;
}

std::optional<spdlog::level::level_enum> parse_level(std::string_view text) noexcept {
    if (text == "trace") return spdlog::level::trace;
    if (text == "debug") return spdlog::level::debug;
    if (text == "info") return spdlog::level::info;
    if (text == "warn") return spdlog::level::warn;
    if (text == "error") return spdlog::level::err;
    return std::nullopt;
}

}  // namespace tidemark::log
