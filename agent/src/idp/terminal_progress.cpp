// See terminal_progress.hpp.
#include "idp/terminal_progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "idp/initial_copy.hpp"

namespace tidemark::idp {
namespace {

// More bars than this would scroll the terminal; the rest are summed up.
constexpr int kMaxBars = 12;

std::string format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "--:--";
    auto s = static_cast<long long>(seconds + 0.5);
    if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
    return fmt::format("{:02}:{:02}", s / 60, s % 60);
}

std::string format_count(double n) {
    if (n >= 1e9) return fmt::format("{:.1f}G", n / 1e9);
    if (n >= 1e6) return fmt::format("{:.1f}M", n / 1e6);
    if (n >= 1e4) return fmt::format("{:.1f}k", n / 1e3);
    return fmt::format("{}", static_cast<long long>(n));
}

// Keeps the end of a long name (the table, not the schema, tells tables
// apart), never cutting a UTF-8 character in two.
std::string shorten(const std::string& text, std::size_t width) {
    if (text.size() <= width) return text + std::string(width - text.size(), ' ');
    std::size_t start = text.size() - (width - 2);
    while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) ++start;
    std::string out = ".." + text.substr(start);
    return out + std::string(width > out.size() ? width - out.size() : 0, ' ');
}

}  // namespace

TerminalProgress::TerminalProgress(std::shared_ptr<log::TerminalSink> terminal, int width)
    : terminal_(std::move(terminal)), width_(std::max(60, width)) {}

TerminalProgress::~TerminalProgress() { terminal_->show_status({}); }

std::string TerminalProgress::bar_line(const TableProgress& t, int width) {
    double seconds = std::chrono::duration<double>(t.elapsed).count();
    double rate = seconds > 0 ? static_cast<double>(t.rows) / seconds : 0;
    double fraction = -1;
    if (t.expected_rows && *t.expected_rows > 0)
        fraction = std::clamp(static_cast<double>(t.rows) / static_cast<double>(*t.expected_rows), 0.0, 1.0);
    std::string eta = fraction >= 0 && rate > 0 ? format_duration(static_cast<double>(*t.expected_rows - t.rows) / rate)
                                                : std::string("--:--");
    std::string stats = fmt::format(" {:>7} rows {:>9} {:>7}/s ETA {}", format_count(static_cast<double>(t.rows)),
                                    format_bytes(t.bytes), format_count(rate), eta);
    int name_width = std::max(12, width / 4);
    int bar_width = std::max(10, width - name_width - static_cast<int>(stats.size()) - 8);
    std::string bar;
    if (fraction >= 0) {
        int filled = static_cast<int>(fraction * bar_width);
        bar = std::string(static_cast<std::size_t>(filled), '#') +
              std::string(static_cast<std::size_t>(bar_width - filled), '.');
        bar = fmt::format("[{}] {:>3}%", bar, static_cast<int>(fraction * 100));
    } else {
        bar = fmt::format("[{}]  ?%", std::string(static_cast<std::size_t>(bar_width), '?'));
    }
    return shorten(t.table, static_cast<std::size_t>(name_width)) + " " + bar + stats;
}

void TerminalProgress::draw(const CopyProgress& progress) {
    std::vector<std::string> lines;
    int copying = 0;
    int done = 0;
    std::int64_t rows = 0;
    std::int64_t bytes = 0;
    for (const TableProgress& t : progress.tables) {
        rows += t.rows;
        bytes += t.bytes;
        if (t.phase == TablePhase::copied) ++done;
        if (t.phase != TablePhase::copying) continue;
        ++copying;
        if (static_cast<int>(lines.size()) < kMaxBars) lines.push_back(bar_line(t, width_));
    }
    int bars = static_cast<int>(lines.size());
    double seconds = std::chrono::duration<double>(progress.elapsed).count();
    std::string more = copying > bars ? fmt::format(" (+{} more copying)", copying - bars) : std::string();
    lines.push_back(fmt::format("total: {}/{} tables, {} rows, {}, {} rows/s, {} elapsed{}", done,
                                progress.tables.size(), format_count(static_cast<double>(rows)), format_bytes(bytes),
                                format_count(seconds > 0 ? static_cast<double>(rows) / seconds : 0),
                                format_duration(seconds), more));
    terminal_->show_status(std::move(lines));
}

void TerminalProgress::started(const CopyProgress& progress) {
    last_ = progress;
    draw(progress);
}

void TerminalProgress::update(const CopyProgress& progress) {
    last_ = progress;
    draw(progress);
}

void TerminalProgress::table_finished(const TableCopyResult& table) {
    double seconds = table.seconds.count();
    terminal_->print_above(fmt::format("copied {}: {} rows, {} in {} ({} rows/s){}", table.source_table, table.rows,
                                       format_bytes(table.bytes), format_duration(seconds),
                                       format_count(seconds > 0 ? static_cast<double>(table.rows) / seconds : 0),
                                       table.binary ? "" : " [text format]"));
    for (auto& t : last_.tables)
        if (t.table == table.source_table) {
            t.phase = TablePhase::copied;
            t.rows = table.rows;
            t.bytes = table.bytes;
        }
    draw(last_);
}

void TerminalProgress::finished(const CopyResult& result) {
    terminal_->show_status({});
    double seconds = result.seconds.count();
    terminal_->print_above(fmt::format("initial copy: {} tables, {} rows, {} in {} ({} rows/s)", result.tables.size(),
                                       result.rows, format_bytes(result.bytes), format_duration(seconds),
                                       format_count(seconds > 0 ? static_cast<double>(result.rows) / seconds : 0)));
}

}  // namespace tidemark::idp
