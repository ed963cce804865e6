// CopyJob: one of the copy_jobs workers.  Owns one source connection in
// the snapshot and one target connection, takes tasks from the schedule
// and runs them: a table's count(*), a chunk (its COPY and its
// tidemark.copy_chunks row in one target transaction), and a table's
// cutover (row count check, keys and indexes, phase 'copied').  Its source
// transaction holds one table's lock at a time: before it reads another
// table it starts a new transaction in the snapshot, locks that table and
// checks that the snapshot still shows its rows
// (idp/snapshot_table_lock.hpp), so DDL on the tables it is done with does
// not wait for the rest of the copy.  A task that loses a connection
// is retried from its start on fresh connections in the same snapshot,
// with backoff.
// Its target connection writes under the job's own replication origin
// (checkpoint/copy_origin.hpp).
// Must not: share its connections, or swallow an error (the first one
// stops the whole copy through the schedule).
#pragma once

#include <cstddef>
#include <optional>
#include <stop_token>
#include <string>

#include "config/config.hpp"
#include "idp/copy_schedule.hpp"
#include "idp/copy_throttle.hpp"
#include "idp/snapshot.hpp"
#include "pg/connection.hpp"

namespace tidemark::idp {

struct CopyContext {
    const config::Config& config;
    const std::string& pipeline;
    const Snapshot& snapshot;
    CopySchedule& schedule;
    std::string client_encoding;  // the source's server_encoding
    std::stop_token stop;
    CopyThrottle* throttle = nullptr;  // [sync] copy_max_rate, shared by the jobs
};

class CopyJob {
public:
    CopyJob(const CopyContext& context, int id) : context_(context), id_(id) {}

    // Runs tasks until none is left, the copy failed elsewhere or a stop
    // was requested; a failure is handed to the schedule, not thrown.
    void run() noexcept;

private:
    void run_task(const Task& task, bool first_of_table);
    void count_rows(const Task& task);
    void copy_chunk(const Task& task, int attempt);
    void finish_table(const Task& task);
    void lock_table(std::size_t table);
    template <typename Work>
    void with_retries(const std::string& what, Work&& work);
    void connect();
    void disconnect() noexcept;

    const CopyContext& context_;
    int id_;
    pg::Connection source_;
    pg::Connection target_;
    // The table source_'s transaction has locked, if any.
    std::optional<std::size_t> locked_table_;
};

// Retries of one task before the copy gives up on a lost connection:
// with the backoff's 100 ms doubling to 30 s, about five minutes.
inline constexpr int kMaxAttempts = 16;

}  // namespace tidemark::idp
