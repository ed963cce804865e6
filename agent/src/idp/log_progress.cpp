// See log_progress.hpp.  The "initial copy done" line comes from
// run_initial_copy itself, whatever the observer.
#include "idp/log_progress.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "idp/initial_copy.hpp"
#include "log/event.hpp"

namespace tidemark::idp {

void LogProgress::started(const CopyProgress&) { last_ = std::chrono::steady_clock::now(); }

void LogProgress::update(const CopyProgress& progress) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < interval_) return;
    last_ = now;
    for (const TableProgress& t : progress.tables) {
        if (t.phase != TablePhase::copying) continue;
        double seconds = std::chrono::duration<double>(t.elapsed).count();
        std::string percent = "?";
        if (t.expected_rows && *t.expected_rows > 0)
            percent = std::to_string(std::min<std::int64_t>(100, t.rows * 100 / *t.expected_rows));
        log::info("copying table",
                  {{"pipeline", pipeline_},
                   {"table", t.table},
                   {"rows", std::to_string(t.rows)},
                   {"expected_rows", t.expected_rows ? std::to_string(*t.expected_rows) : "unknown"},
                   {"percent", percent},
                   {"bytes", format_bytes(t.bytes)},
                   {"chunks", std::to_string(t.chunks_done) + "/" + std::to_string(t.chunks_total)},
                   {"rows_per_second",
                    std::to_string(seconds > 0 ? static_cast<long long>(static_cast<double>(t.rows) / seconds) : 0)}});
    }
}

void LogProgress::table_finished(const TableCopyResult& table) {
    double seconds = table.seconds.count();
    log::info("table copied",
              {{"pipeline", pipeline_},
               {"table", table.source_table},
               {"rows", std::to_string(table.rows)},
               {"bytes", format_bytes(table.bytes)},
               {"chunks", std::to_string(table.chunks)},
               {"format", table.binary ? "binary" : "text"},
               {"seconds", fmt::format("{:.3f}", seconds)},
               {"rows_per_second",
                std::to_string(seconds > 0 ? static_cast<long long>(static_cast<double>(table.rows) / seconds) : 0)}});
}

void LogProgress::finished(const CopyResult&) {}

}  // namespace tidemark::idp
