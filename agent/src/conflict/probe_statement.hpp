// The bulk probe: for each keyed relation and batch, statements sent
// together in one pipeline.  The row probe locks the target rows the
// batch's keys name (FOR UPDATE, as PostgreSQL's own apply worker locks
// the tuples it changes) and returns, per existing row: its ordinal in
// the batch, who last wrote it and when (commit timestamp and replication
// origin of its xmin, looked up once per distinct xmin: rows written by
// one transaction share it), the version column compared with the
// change's in the column's own type, and the soft-delete column.  The key
// probe returns the keys' tombstones and, for tables with a version
// column, the change's version as a point in time.
// Must not: change any row, or ask for commit timestamps where the
// target does not track them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "apply/conflation.hpp"
#include "apply/statement.hpp"
#include "conflict/policy.hpp"
#include "pg/result.hpp"

namespace tidemark::conflict {

// What the probe learned about one entry's target row.
struct TargetRow {
    bool exists = false;
    // Commit time of the row's last write (PostgreSQL microseconds);
    // nullopt when there is no evidence (frozen, too old, written in the
    // current transaction, or commit timestamps are not tracked).
    std::optional<std::int64_t> commit_time;
    std::optional<std::uint32_t> origin_id;           // roident of that write (0: a local user)
    bool ours = false;                                // written under this source's origins
    std::string origin;                               // the writer's origin name when not ours ("" = a local user)
    std::optional<int> version_cmp;                   // target's version against the change's: -1, 0, 1
    std::optional<std::int64_t> target_version_time;  // time-valued version columns
    std::optional<std::int64_t> source_version_time;
    bool source_version_valid = false;  // not NULL (and finite for times)
    bool target_version_valid = false;
    bool soft_deleted = false;
    std::optional<std::int64_t> tombstone_time;
    std::string tombstone_source;
    // The row as JSON, read only for rows a conflict is logged for.
    std::optional<std::string> row_json;
    // Without commit timestamps, under REPLICA IDENTITY FULL: whether the
    // row equals what the source expected (its old row, or the inserted
    // row); nullopt when that cannot be told.
    std::optional<bool> matches_expected;
};

struct ProbeSettings {
    bool commit_timestamps = true;           // track_commit_timestamp is on
    std::vector<std::uint32_t> our_origins;  // roident of this source's origins
};

// Whether the row probe of `policy`'s table answers for every entry.
// Otherwise (commit timestamps tracked, no version or soft-delete column)
// it answers only for what needs a decision: rows someone else wrote, and
// missing rows the source expected; every other entry is a row that is
// absent for an insert, or there and ours, and is written as it comes.
bool probes_every_row(const TablePolicy& policy, const ProbeSettings& settings) noexcept;

// Whether the source expected the entry's row to exist (its first change
// is not an insert), or its row must be found to be deleted.
bool expects_row(const apply::ConflatedEntry& entry) noexcept;

// The row probe, when probes_every_row() is true: every entry's row,
// locked.  Entries are numbered from 1 in the order given.
apply::Statement row_probe(const apply::RelationInfo& rel, const TablePolicy& policy,
                           const std::vector<const apply::ConflatedEntry*>& entries, const ProbeSettings& settings);
// `entries` are answered for under `ordinals` (their numbers among all
// the batch's entries, from 1).
apply::Statement key_probe(const apply::RelationInfo& rel, const TablePolicy& policy,
                           const std::vector<const apply::ConflatedEntry*>& entries,
                           const std::vector<std::size_t>& ordinals);
// The lean probe, when probes_every_row() is false: the existing rows of
// the batch grouped by xmin, each group with its count (all, and those the
// source expected) and its commit timestamp and origin.  No row is locked:
// the writes are guarded by these xmins instead (apply::RowGuard).
apply::Statement xmin_probe(const apply::RelationInfo& rel, const std::vector<const apply::ConflatedEntry*>& entries);
// Its follow-ups, sent only when a group is someone else's or a row the
// source expected is missing: the ordinals (and xmins) of the rows with
// one of `xmins`, and the ordinals of the expected rows that are missing.
apply::Statement rows_with_xmins(const apply::RelationInfo& rel,
                                 const std::vector<const apply::ConflatedEntry*>& entries,
                                 const std::vector<std::string>& xmins);
apply::Statement missing_rows(const apply::RelationInfo& rel, const std::vector<const apply::ConflatedEntry*>& entries);

// The target rows of some entries as JSON (for the conflict log).
apply::Statement row_json_probe(const apply::RelationInfo& rel, const std::vector<const wire::Tuple*>& rows);

// One TargetRow per entry, as the entries not answered for are: there
// and ours when the source expected the row, else absent.
std::vector<TargetRow> unanswered_rows(const std::vector<const apply::ConflatedEntry*>& entries);
// Reads row_probe's answer into `rows`.
void read_row_probe(const pg::Result& result, std::vector<TargetRow>& rows);
// Reads key_probe's answer into `rows`.
void read_key_probe(const pg::Result& result, std::vector<TargetRow>& rows);
// Reads row_json_probe's answer: ordinal -> JSON.
void read_row_json(const pg::Result& result, const std::vector<std::size_t>& entry_of, std::vector<TargetRow>& targets);

}  // namespace tidemark::conflict
