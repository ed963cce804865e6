// The classifier: one conflated entry and what the probe saw of its
// target row in, the decision out: what to write (the change, only some
// of its columns, or nothing), which conflicts to log with their
// resolution, which late arrivals to record, and the key's tombstone.
// The kinds: insert_exists (the row is there, written by someone else),
// update_missing / delete_missing (the source expected a row that is not
// there), update_differs / delete_differs (someone else wrote the row
// since, or its version is newer than the change's).
// Must not: run SQL or read the clock (the caller passes "now").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "apply/conflation.hpp"
#include "conflict/policy.hpp"
#include "conflict/probe_statement.hpp"

namespace tidemark::conflict {

struct ConflictRecord {
    std::string kind;
    // Column indexes involved; empty: the whole row.
    std::vector<std::size_t> columns;
    Strategy strategy = Strategy::last_write_wins;
    // "source" (the change was applied), "target" (the target's row was
    // kept), "none" (nothing to apply either way) or "pending".
    std::string resolution;
    bool pending() const noexcept { return resolution == "pending"; }
};

struct LateRecord {
    // "late" (older than the target's row beyond tolerance), "tombstone"
    // (older than the key's delete), "future" (beyond max_clock_skew).
    std::string reason;
    std::optional<std::int64_t> expected_time;
    std::optional<std::int64_t> actual_time;
    bool applied = false;
};

struct Decision {
    bool write = true;
    apply::EntryOp op = apply::EntryOp::upsert;
    // Set when only some columns of the change are written: the change's
    // tuple with the other columns marked unchanged (op partial_update).
    std::optional<wire::Tuple> columns_only;
    std::vector<ConflictRecord> conflicts;
    std::vector<LateRecord> late;
    bool tombstone = false;        // the key was deleted: upsert its tombstone
    bool clear_tombstone = false;  // a genuine re-insert: remove it
    bool invalid_version = false;  // fell back to the commit time
    // The error strategy met this entry: why, for the message.
    std::optional<std::string> error;
};

Decision classify(const apply::RelationInfo& rel, const TablePolicy& table, const Policy& policy,
                  const apply::ConflatedEntry& entry, const TargetRow& target, std::int64_t now);

// The key of an entry as people read it ("id=42"), for messages.
std::string describe_key(const apply::RelationInfo& rel, const wire::Tuple& tuple);

}  // namespace tidemark::conflict
