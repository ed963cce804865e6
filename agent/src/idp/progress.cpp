// See progress.hpp.
#include "idp/progress.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "idp/log_progress.hpp"
#include "idp/terminal_progress.hpp"

namespace tidemark::idp {
namespace {

int terminal_width() {
    const char* columns = std::getenv("COLUMNS");
    if (columns) {
        int n = std::atoi(columns);
        if (n >= 60 && n <= 1000) return n;
    }
    return 100;
}

}  // namespace

std::unique_ptr<Progress> make_progress(ProgressDisplay display, const std::string& pipeline) {
    if (display.terminal && display.terminal->is_terminal())
        return std::make_unique<TerminalProgress>(display.terminal, terminal_width());
    return std::make_unique<LogProgress>(pipeline);
}

std::string format_bytes(std::int64_t bytes) {
    constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    double value = static_cast<double>(bytes < 0 ? 0 : bytes);
    int unit = 0;
    while (value >= 1000 && unit < 5) {
        value /= 1000;
        ++unit;
    }
    return unit == 0 ? fmt::format("{} B", static_cast<long long>(value))
                     : fmt::format("{:.1f} {}", value, kUnits[unit]);
}

}  // namespace tidemark::idp
