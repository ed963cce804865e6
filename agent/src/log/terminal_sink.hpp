// TerminalSink: the stderr log sink, which also keeps a few status lines
// (the copy's progress bars) at the bottom of a terminal.  Log lines come
// from any thread and the bars redraw in place; written separately, a log
// line landed inside the bars and their next redraw erased it, a warning
// lost from the operator's screen.  Every write therefore goes through this
// sink's one lock: the status lines are erased, the line is written, the
// status lines are drawn again below it.
// Must not: draw status lines on a stream that is not a terminal.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace tidemark::log {

class TerminalSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    // `out` stays owned by the caller.  Without `is_terminal` the sink is a
    // plain line writer and status lines are ignored.
    TerminalSink(std::FILE* out, bool is_terminal);

    // stderr, a terminal if isatty says so.
    static std::shared_ptr<TerminalSink> for_stderr();

    bool is_terminal() const noexcept { return is_terminal_; }

    // Replaces the status lines; an empty list erases them.
    void show_status(std::vector<std::string> lines);

    // A line that stays, written above the status lines.
    void print_above(std::string_view line);

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override;
    void flush_() override;

private:
    // All with mutex_ held.  `text` ends with its newline.
    void write_above(std::string_view text);
    void erase_status();
    void draw_status();

    std::FILE* out_;
    bool is_terminal_;
    std::vector<std::string> status_;
    int lines_drawn_ = 0;
};

}  // namespace tidemark::log
