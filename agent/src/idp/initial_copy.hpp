// The Initial Data Package: the public entry points that sync/ calls to
// copy every included table (or a given few) from an exported snapshot to
// the target, and to copy sequences.  Owns the life cycle of the rows of
// tidemark.tables and tidemark.copy_chunks.
// Must not: create or drop replication slots, touch tidemark.pipelines or
// the replication origin (sync/ owns the handoff), or keep a table's data
// in memory (rows flow buffer by buffer from the source to the target).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "catalog/source_table.hpp"
#include "catalog/table_discovery.hpp"
#include "config/config.hpp"
#include "idp/copy_error.hpp"
#include "idp/copy_session.hpp"
#include "idp/progress.hpp"
#include "idp/snapshot.hpp"
#include "pg/connection.hpp"
#include "pg/lsn.hpp"

// Snapshot (idp/snapshot.hpp) and begin_in_snapshot (idp/copy_session.hpp)
// come with this header.
namespace tidemark::idp {

struct TableCopyResult {
    std::string source_table;  // "schema"."name" as in tidemark.tables
    std::string target_table;
    std::int64_t rows = 0;         // rows copied, equal to source_rows
    std::int64_t source_rows = 0;  // count(*) inside the snapshot
    std::int64_t bytes = 0;        // COPY bytes moved
    int chunks = 0;
    bool binary = true;  // false: this table went through text COPY
    std::chrono::duration<double> seconds{0};
};

struct CopyResult {
    std::vector<TableCopyResult> tables;  // in the order the tables finished
    std::int64_t rows = 0;
    std::int64_t bytes = 0;
    std::chrono::duration<double> seconds{0};
};

struct SequenceCopyResult {
    int sequences = 0;  // sequences the target holds at the source's value
    int changed = 0;    // of which were set (the others held it already)
    int created = 0;    // of which were created on the target first
};

// Copies the tables on the target, which must already hold the state
// schema (state::ensure_state_schema) and the pipeline's row in
// tidemark.pipelines.
//
// `only_tables` empty: every table the [source] include/exclude patterns
// select; otherwise exactly those ("schema"."name" as in tidemark.tables),
// as on a restart after a crash, where the unfinished tables are copied
// again from a fresh snapshot.  Either way each table copied is first
// truncated on the target, its chunk rows are forgotten and its
// high_water_mark becomes snapshot.consistent_point, in one transaction.
// A table of `only_tables` that no longer exists on the source is dropped
// from tidemark.tables with a warning.
//
// With [target] create_tables, missing schemas, user-defined types,
// sequences and tables are created before the copy, and each table's
// primary key and secondary indexes after its data (a bulk index build is
// faster than maintaining the index row by row, as pgcopydb does).  Each
// table's rows copied are checked against count(*) in the snapshot before
// it is marked 'copied'; only then may the stream apply changes to it.
//
// Throws CopyError (a target table lacking a source column, a missing
// target table without create_tables, a row count that differs from the
// snapshot's; the message names the table and the way out), CopyInterrupted (`stop` was requested: chunks in flight are
// rolled back, committed ones stay), std::invalid_argument (a bad
// include/exclude pattern) or pg::DatabaseError (any other failure, and a
// lost connection once its retries are spent).
CopyResult run_initial_copy(const config::Config& config, const std::string& pipeline, const Snapshot& snapshot,
                            const std::vector<std::string>& only_tables, Progress& progress, std::stop_token stop = {});

// Same, reporting through make_progress(display, pipeline).
CopyResult run_initial_copy(const config::Config& config, const std::string& pipeline, const Snapshot& snapshot,
                            const std::vector<std::string>& only_tables, ProgressDisplay display,
                            std::stop_token stop = {});

// Sets every included sequence on the target to its value on the source
// (read inside `snapshot` when given): sequences in the schemas the
// include patterns select, and sequences owned by an included table.  With
// create_tables a missing sequence is created first; without, it is
// skipped with a warning.  A sequence already at the source's value is
// left alone, so calling it often costs a read per sequence.  Call it
// after run_initial_copy, on --once, and while streaming
// (sync/sequence_follower.hpp).
SequenceCopyResult copy_sequences(const config::Config& config, const std::optional<Snapshot>& snapshot);

// The tables of the pipeline whose copy has not finished (phase 'pending'
// or 'copying'), in the form `only_tables` takes.
std::vector<std::string> unfinished_tables(pg::Connection& target, const std::string& pipeline);

}  // namespace tidemark::idp
