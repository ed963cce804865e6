// See copy_job.hpp.
#include "idp/copy_job.hpp"

#include "catalog/target_schema.hpp"
#include "checkpoint/copy_origin.hpp"
#include "idp/copy_error.hpp"
#include "idp/copy_pump.hpp"
#include "idp/copy_session.hpp"
#include "idp/copy_state.hpp"
#include "idp/snapshot_table_lock.hpp"
#include "log/event.hpp"
#include "pg/conninfo_mask.hpp"
#include "pg/database_error.hpp"
#include "pg/quoting.hpp"
#include "retry/backoff.hpp"
#include "retry/stoppable_sleep.hpp"

namespace tidemark::idp {
namespace {

std::string column_list(const catalog::SourceTable& table) {
    std::string out;
    for (const catalog::SourceColumn* c : table.copy_columns()) {
        if (!out.empty()) out += ", ";
        out += pg::quote_identifier(c->name);
    }
    return out;
}

// " (a, b)" for COPY, or nothing for a table without columns to copy
// (COPY takes no empty list).
std::string copy_column_list(const catalog::SourceTable& table) {
    std::string columns = column_list(table);
    return columns.empty() ? std::string() : " (" + columns + ")";
}

std::string copy_out_sql(const TableWork& work, const Chunk& chunk) {
    std::string format = work.target.binary ? " TO STDOUT (FORMAT binary)" : " TO STDOUT";
    // COPY of a whole ordinary table reads the heap directly, without the
    // executor's projection; a chunk or a partitioned table needs a query.
    if (work.chunks.size() == 1 && work.source.kind == catalog::TableKind::ordinary)
        return "COPY " + work.source.qualified() + copy_column_list(work.source) + format;
    return "COPY (SELECT " + column_list(work.source) + " " + from_clause(work.source) + chunk.where_clause() + ")" +
           format;
}

std::string copy_in_sql(const TableWork& work) {
    return "COPY " + work.target.qualified + copy_column_list(work.source) + " FROM STDIN" +
           (work.target.binary ? " (FORMAT binary)" : "");
}

}  // namespace

void CopyJob::run() noexcept {
    try {
        for (;;) {
            if (context_.stop.stop_requested()) throw CopyInterrupted();
            bool first = false;
            auto task = context_.schedule.next(first);
            if (!task) break;
            run_task(*task, first);
        }
    } catch (...) {
        context_.schedule.fail(std::current_exception());
    }
    disconnect();
    context_.schedule.job_exited();
}

void CopyJob::connect() {
    if (!source_.is_ok()) {
        source_.close();
        locked_table_.reset();
        source_ = open_source_in_snapshot(context_.config.source.conninfo, context_.snapshot);
    }
    if (!target_.is_ok()) {
        target_.close();
        target_ = open_target(context_.config.target.conninfo, context_.client_encoding);
        // The copied rows carry this job's origin, so conflict detection
        // knows them for the pipeline's own and not as rows people wrote.
        checkpoint::bind_copy_origin(target_, checkpoint::copy_origin_name(context_.pipeline, id_),
                                     context_.config.sync.copy_jobs, context_.stop);
    }
}

void CopyJob::disconnect() noexcept {
    checkpoint::unbind_copy_origin(target_);
    source_.close();
    target_.close();
}

template <typename Work>
void CopyJob::with_retries(const std::string& what, Work&& work) {
    retry::Backoff backoff;
    for (int attempt = 1;; ++attempt) {
        try {
            connect();
            work(attempt);
            return;
        } catch (const pg::DatabaseError& e) {
            // A lost snapshot cannot come back, nor a table changed since it:
            // the whole copy resumes from a fresh one (the sync's retry), not
            // this task.
            if (!e.is_connection_error() || needs_fresh_snapshot(e) || attempt >= kMaxAttempts ||
                context_.stop.stop_requested())
                throw;
            bool source_lost = !source_.is_ok();
            bool target_lost = !target_.is_ok();
            // Whatever the half-done task left on either session (a COPY
            // in progress, a failed transaction) goes with the sessions.
            disconnect();
            auto delay = backoff.next();
            std::string side = source_lost && !target_lost   ? "source"
                               : target_lost && !source_lost ? "target"
                                                             : "source or target";
            const std::string& conninfo =
                side == "target" ? context_.config.target.conninfo : context_.config.source.conninfo;
            log::warn("lost a connection during the initial copy; retrying " + what + " from its start",
                      {{"job", std::to_string(id_)},
                       {"side", side},
                       {"conninfo", pg::mask_conninfo(conninfo)},
                       {"attempt", std::to_string(attempt + 1) + "/" + std::to_string(kMaxAttempts)},
                       {"retry_in_ms", std::to_string(delay.count())},
                       {"sqlstate", e.sqlstate()},
                       {"error", e.what()}});
            if (retry::sleep_unless_stopped(delay, context_.stop)) throw CopyInterrupted();
        }
    }
}

void CopyJob::run_task(const Task& task, bool first_of_table) {
    const TableWork& work = context_.schedule.table(task.table);
    std::string name = work.source.qualified();
    if (first_of_table)
        with_retries("marking " + name + " as copying", [&](int) { mark_copying(target_, context_.pipeline, name); });
    switch (task.kind) {
        case TaskKind::count:
            with_retries("the row count of " + name, [&](int) { count_rows(task); });
            break;
        case TaskKind::chunk:
            with_retries("chunk " + std::to_string(task.chunk) + " of " + name,
                         [&](int attempt) { copy_chunk(task, attempt); });
            break;
    }
    if (context_.schedule.task_done(task)) with_retries("the cutover of " + name, [&](int) { finish_table(task); });
}

void CopyJob::count_rows(const Task& task) {
    const TableWork& work = context_.schedule.table(task.table);
    std::string name = work.source.qualified();
    lock_table(task.table);
    pg::Result r = source_.exec("SELECT count(*) " + from_clause(work.source),
                                "while counting the rows of " + name + " in the snapshot");
    std::int64_t rows = std::stoll(std::string(r.value(0, 0)));
    record_source_rows(target_, context_.pipeline, name, rows);
    context_.schedule.set_source_rows(task.table, rows);
}

void CopyJob::copy_chunk(const Task& task, int attempt) {
    const TableWork& work = context_.schedule.table(task.table);
    const Chunk& chunk = work.chunks.at(static_cast<std::size_t>(task.chunk));
    std::string name = work.source.qualified();
    // A retry after a COMMIT whose reply was lost: the chunk may be in.
    if (attempt > 1 && chunk_committed(target_, context_.pipeline, name, chunk.number)) return;
    lock_table(task.table);

    std::string context = "(table " + name + ", chunk " + std::to_string(chunk.number) + ")";
    std::int64_t shown_rows = 0;
    std::int64_t shown_bytes = 0;
    auto progress = [&](std::int64_t rows, std::int64_t bytes) {
        shown_rows += rows;
        shown_bytes += bytes;
        context_.schedule.add_progress(task.table, rows, bytes);
    };
    try {
        target_.exec("BEGIN", "while starting the transaction of chunk " + context);
        PumpResult moved = pump_copy(source_, copy_out_sql(work, chunk), target_, copy_in_sql(work), progress,
                                     context_.throttle, context_.stop, context);
        record_chunk(target_, context_.pipeline, name,
                     ChunkRecord{chunk.number, chunk.lower_bound(), chunk.upper_bound(), moved.rows, moved.bytes,
                                 context_.snapshot.consistent_point});
        target_.exec("COMMIT", "while committing chunk " + context);
        // The pump counts COPY messages, which in binary format include a
        // header and a trailer: settle on the rows the target reported.
        context_.schedule.add_progress(task.table, moved.rows - shown_rows, moved.bytes - shown_bytes);
    } catch (...) {
        // Nothing of this attempt is committed.  The sessions, mid-COPY or
        // in a failed transaction, are dropped by with_retries before a
        // retry, or by run() when the copy fails.
        context_.schedule.add_progress(task.table, -shown_rows, -shown_bytes);
        throw;
    }
}

void CopyJob::lock_table(std::size_t table) {
    if (locked_table_ == table) return;
    if (locked_table_) {
        source_.exec("COMMIT", "while letting go of a copied table's lock");
        locked_table_.reset();
        begin_in_snapshot(source_, context_.snapshot);
    }
    lock_as_the_snapshot_saw_it(source_, context_.schedule.table(table).source, context_.snapshot);
    locked_table_ = table;
}

void CopyJob::finish_table(const Task& task) {
    const TableWork& work = context_.schedule.table(task.table);
    std::string name = work.source.qualified();
    target_.exec("BEGIN", "while starting the cutover of " + name);
    // The definitions of keys and indexes were printed by the source under
    // an empty search_path; they are read back the same way.
    target_.exec("SET LOCAL search_path = ''", "while starting the cutover of " + name);
    TableCounts counts = lock_table_counts(target_, context_.pipeline, name);
    if (!counts.source_rows)
        throw CopyError("the row count of " + name + " in the snapshot was never recorded; the copy cannot be checked");
    if (counts.rows_copied != *counts.source_rows)
        throw CopyError("row count mismatch for " + name + ": the snapshot holds " +
                        std::to_string(*counts.source_rows) + " rows but " + std::to_string(counts.rows_copied) +
                        " were copied; the table stays unfinished and is copied again on the next start");
    int added = 0;
    if (context_.config.target.create_tables) added = catalog::add_keys_and_indexes(target_, work.source);
    mark_copied(target_, context_.pipeline, name);
    target_.exec("COMMIT", "while committing the cutover of " + name);
    // Fresh statistics for the stream's first statements on this table.
    try {
        target_.exec("ANALYZE " + work.target.qualified, "while analyzing " + work.target.qualified);
    } catch (const pg::DatabaseError& e) {
        if (e.is_connection_error()) throw;
        log::warn("could not analyze the copied table", {{"table", work.target.qualified}, {"error", e.what()}});
    }

    TableCopyResult result;
    result.source_table = name;
    result.target_table = work.target.qualified;
    result.rows = counts.rows_copied;
    result.source_rows = *counts.source_rows;
    result.bytes = counts.bytes_copied;
    result.chunks = counts.chunks;
    result.binary = work.target.binary;
    log::debug("table cutover done", {{"table", name}, {"keys_and_indexes_added", std::to_string(added)}});
    context_.schedule.table_finished(task.table, std::move(result));
}

}  // namespace tidemark::idp
