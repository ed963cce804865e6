// Progress: the observer run_initial_copy reports to, and the usual ones
// (make_progress: bars on a terminal, log lines otherwise).  Every call
// comes from the thread that called run_initial_copy, never from a copy
// job, so implementations need no locking.
// Must not: block for long (the copy's bookkeeping waits meanwhile).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "log/terminal_sink.hpp"

namespace tidemark::idp {

struct TableCopyResult;
struct CopyResult;

enum class TablePhase { pending, copying, copied };

struct TableProgress {
    std::string table;  // "schema"."name"
    TablePhase phase = TablePhase::pending;
    std::int64_t rows = 0;   // rows sent so far (chunks in flight included)
    std::int64_t bytes = 0;  // COPY bytes so far
    // count(*) in the snapshot once known, before that the catalog estimate.
    std::optional<std::int64_t> expected_rows;
    bool expected_is_exact = false;
    int chunks_done = 0;
    int chunks_total = 0;
    std::chrono::steady_clock::duration elapsed{};  // since this table's first chunk began
};

struct CopyProgress {
    std::vector<TableProgress> tables;  // in the copy's order (largest first)
    std::chrono::steady_clock::duration elapsed{};
};

class Progress {
public:
    virtual ~Progress() = default;
    // Once, with every table pending, after the plan is made.
    virtual void started(const CopyProgress& progress) = 0;
    // About five times a second while tables are being copied.
    virtual void update(const CopyProgress& progress) = 0;
    virtual void table_finished(const TableCopyResult& table) = 0;
    virtual void finished(const CopyResult& result) = 0;
};

// Where a copy's progress goes: bars in the status lines of `terminal`,
// the log's own sink, so that log lines are written above them; without a
// terminal, log lines, each naming its pipeline.  Bars redraw in place, so
// they need the terminal to themselves: a run that copies for several
// pipelines at once reports in log lines.
struct ProgressDisplay {
    std::shared_ptr<log::TerminalSink> terminal;

    static ProgressDisplay log_lines() { return {}; }
};

// A bar per table redrawn on the display's terminal; otherwise a log line
// per table (naming `pipeline`) every ten seconds and at completion.
std::unique_ptr<Progress> make_progress(ProgressDisplay display, const std::string& pipeline);

// "1.2 GB", "340 kB": for progress and log lines.
std::string format_bytes(std::int64_t bytes);

}  // namespace tidemark::idp
