// CopySchedule: the work of one run_initial_copy shared by its copy jobs:
// the queue of tasks (per table a count(*) and its chunks, largest tables
// first), what is left of each table, the progress counters, the finished
// tables and the first error.  Thread-safe; every member locks.
// Must not: talk to a database (copy jobs do), or call the Progress
// observer (only the thread that runs run_initial_copy does).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "catalog/source_table.hpp"
#include "catalog/target_schema.hpp"
#include "idp/chunk_plan.hpp"
#include "idp/initial_copy.hpp"
#include "idp/progress.hpp"

namespace tidemark::idp {

struct TableWork {
    catalog::SourceTable source;
    catalog::TargetTable target;
    std::vector<Chunk> chunks;
    double estimated_rows = -1;
};

enum class TaskKind { count, chunk };

struct Task {
    std::size_t table = 0;
    TaskKind kind = TaskKind::chunk;
    int chunk = 0;
};

class CopySchedule {
public:
    using Clock = std::chrono::steady_clock;

    explicit CopySchedule(std::vector<TableWork> tables);
    CopySchedule(const CopySchedule&) = delete;
    CopySchedule& operator=(const CopySchedule&) = delete;

    const TableWork& table(std::size_t index) const { return tables_.at(index).work; }
    std::size_t table_count() const noexcept { return tables_.size(); }
    std::size_t task_count() const;

    // The next task, or nullopt when none is left or the copy failed.
    // `first_of_table` tells whether it is the first task handed out for
    // its table (which then becomes 'copying').
    std::optional<Task> next(bool& first_of_table);
    // After a task succeeded; true when its table has nothing left to do
    // but the cutover, which the caller then runs.
    bool task_done(const Task& task);
    void table_finished(std::size_t table, TableCopyResult result);

    void add_progress(std::size_t table, std::int64_t rows, std::int64_t bytes);
    void set_source_rows(std::size_t table, std::int64_t rows);

    // The first failure wins; the queue then hands out nothing more.
    void fail(std::exception_ptr error);
    std::exception_ptr error() const;

    void job_started();
    void job_exited();
    // Waits up to `timeout` for a finished table or the last job's exit;
    // true when every job has exited.
    bool wait(std::chrono::milliseconds timeout);

    CopyProgress progress() const;
    std::vector<TableCopyResult> take_finished();

private:
    struct TableState {
        TableWork work;
        int tasks_left = 0;
        bool started = false;
        TablePhase phase = TablePhase::pending;
        std::int64_t rows = 0;
        std::int64_t bytes = 0;
        std::optional<std::int64_t> source_rows;
        int chunks_done = 0;
        Clock::time_point started_at{};
        Clock::time_point finished_at{};
    };

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<TableState> tables_;
    std::deque<Task> queue_;
    std::vector<TableCopyResult> finished_;
    std::exception_ptr error_;
    int jobs_running_ = 0;
    Clock::time_point started_at_ = Clock::now();
};

}  // namespace tidemark::idp
