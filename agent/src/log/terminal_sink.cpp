// See terminal_sink.hpp.
#include "log/terminal_sink.hpp"

#include <unistd.h>

namespace tidemark::log {

TerminalSink::TerminalSink(std::FILE* out, bool is_terminal) : out_(out), is_terminal_(is_terminal) {}

std::shared_ptr<TerminalSink> TerminalSink::for_stderr() {
    return std::make_shared<TerminalSink>(stderr, ::isatty(STDERR_FILENO) == 1);
}

void TerminalSink::show_status(std::vector<std::string> lines) {
    if (!is_terminal_) return;
    std::lock_guard lock(mutex_);
    erase_status();
    status_ = std::move(lines);
    draw_status();
    std::fflush(out_);
}

void TerminalSink::print_above(std::string_view line) {
    std::lock_guard lock(mutex_);
    write_above(std::string(line) + '\n');
}

void TerminalSink::sink_it_(const spdlog::details::log_msg& msg) {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    write_above(std::string_view(formatted.data(), formatted.size()));
}

void TerminalSink::write_above(std::string_view text) {
    erase_status();
    std::fwrite(text.data(), 1, text.size(), out_);
    draw_status();
    // As spdlog's own console sinks do: a line is on the screen once logged.
    std::fflush(out_);
}

void TerminalSink::flush_() { std::fflush(out_); }

void TerminalSink::erase_status() {
    // Back to the first status line, then erase to the end of the screen.
    if (lines_drawn_ > 0) std::fprintf(out_, "\x1b[%dA\x1b[J", lines_drawn_);
    lines_drawn_ = 0;
}

void TerminalSink::draw_status() {
    for (const std::string& line : status_) {
        std::fwrite(line.data(), 1, line.size(), out_);
        std::fputc('\n', out_);
    }
    lines_drawn_ = static_cast<int>(status_.size());
}

}  // namespace tidemark::log
