// See copy_schedule.hpp.
#include "idp/copy_schedule.hpp"

#include <algorithm>

namespace tidemark::idp {

CopySchedule::CopySchedule(std::vector<TableWork> tables) {
    // Largest first: the big tables set how long the copy takes, so their
    // chunks should start while the small tables fill the gaps at the end.
    std::stable_sort(tables.begin(), tables.end(),
                     [](const TableWork& a, const TableWork& b) { return a.estimated_rows > b.estimated_rows; });
    tables_.reserve(tables.size());
    for (auto& work : tables) {
        TableState state;
        state.work = std::move(work);
        tables_.push_back(std::move(state));
    }
    for (std::size_t i = 0; i < tables_.size(); ++i) {
        TableState& t = tables_[i];
        queue_.push_back(Task{i, TaskKind::count, 0});
        for (const Chunk& c : t.work.chunks) queue_.push_back(Task{i, TaskKind::chunk, c.number});
        t.tasks_left = static_cast<int>(t.work.chunks.size()) + 1;
    }
}

std::size_t CopySchedule::task_count() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

std::optional<Task> CopySchedule::next(bool& first_of_table) {
    std::lock_guard lock(mutex_);
    first_of_table = false;
    if (error_ || queue_.empty()) return std::nullopt;
    Task task = queue_.front();
    queue_.pop_front();
    TableState& t = tables_[task.table];
    if (!t.started) {
        t.started = true;
        t.phase = TablePhase::copying;
        t.started_at = Clock::now();
        first_of_table = true;
    }
    return task;
}

bool CopySchedule::task_done(const Task& task) {
    std::lock_guard lock(mutex_);
    TableState& t = tables_[task.table];
    if (task.kind == TaskKind::chunk) ++t.chunks_done;
    return --t.tasks_left == 0;
}

void CopySchedule::table_finished(std::size_t table, TableCopyResult result) {
    {
        std::lock_guard lock(mutex_);
        TableState& t = tables_[table];
        t.phase = TablePhase::copied;
        t.finished_at = Clock::now();
        t.rows = result.rows;
        t.bytes = result.bytes;
        result.seconds = t.finished_at - t.started_at;
        finished_.push_back(std::move(result));
    }
    changed_.notify_all();
}

void CopySchedule::add_progress(std::size_t table, std::int64_t rows, std::int64_t bytes) {
    std::lock_guard lock(mutex_);
    tables_[table].rows += rows;
    tables_[table].bytes += bytes;
}

void CopySchedule::set_source_rows(std::size_t table, std::int64_t rows) {
    std::lock_guard lock(mutex_);
    tables_[table].source_rows = rows;
}

void CopySchedule::fail(std::exception_ptr error) {
    {
        std::lock_guard lock(mutex_);
        if (!error_) error_ = std::move(error);
    }
    changed_.notify_all();
}

std::exception_ptr CopySchedule::error() const {
    std::lock_guard lock(mutex_);
    return error_;
}

void CopySchedule::job_started() {
    std::lock_guard lock(mutex_);
    ++jobs_running_;
}

void CopySchedule::job_exited() {
    {
        std::lock_guard lock(mutex_);
        --jobs_running_;
    }
    changed_.notify_all();
}

bool CopySchedule::wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return jobs_running_ == 0 || !finished_.empty(); });
    return jobs_running_ == 0;
}

CopyProgress CopySchedule::progress() const {
    std::lock_guard lock(mutex_);
    CopyProgress p;
    auto now = Clock::now();
    p.elapsed = now - started_at_;
    p.tables.reserve(tables_.size());
    for (const TableState& t : tables_) {
        TableProgress tp;
        tp.table = t.work.source.qualified();
        tp.phase = t.phase;
        tp.rows = t.rows;
        tp.bytes = t.bytes;
        if (t.source_rows) {
            tp.expected_rows = t.source_rows;
            tp.expected_is_exact = true;
        } else if (t.work.estimated_rows >= 0) {
            tp.expected_rows = static_cast<std::int64_t>(t.work.estimated_rows);
        }
        tp.chunks_done = t.chunks_done;
        tp.chunks_total = static_cast<int>(t.work.chunks.size());
        if (t.started) tp.elapsed = (t.phase == TablePhase::copied ? t.finished_at : now) - t.started_at;
        p.tables.push_back(std::move(tp));
    }
    return p;
}

std::vector<TableCopyResult> CopySchedule::take_finished() {
    std::lock_guard lock(mutex_);
    std::vector<TableCopyResult> out;
    out.swap(finished_);
    return out;
}

}  // namespace tidemark::idp
