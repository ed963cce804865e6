// Settlement: a person's decision on one pending conflict, carried out on
// the target in one ordinary transaction: for --keep source the parked
// source values are written to the row by key (INSERT, UPDATE or DELETE as
// the kind needs), for --keep target nothing is written; then the conflict
// becomes 'resolved' with its resolved values, who and when, and a
// tidemark.conflict_resolutions row keeps the history.
// The write is a local write like any other (no replication origin, the
// table's triggers fire): a later change from a source to that row sees a
// row written by someone else.
// Must not: settle a conflict that is not pending, or write anything when
// any step fails (all or nothing).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pg/connection.hpp"

namespace tidemark::conflict_review {

enum class Keep { source, target };

std::string_view to_string(Keep keep) noexcept;  // "source" | "target"

struct Settlement {
    std::int64_t id = 0;
    std::string kind;
    std::string target_table;
    std::string record_key;
    std::string resolution;  // "source" | "target", as the apply path writes it
    // What happened to the target row: "updated", "inserted", "deleted",
    // "already absent" or "left as it is".
    std::string row_outcome;
    std::optional<std::string> resolved_values;  // jsonb text; nullopt when the row is gone
    std::string resolved_by;
};

// Throws ReviewError for an unknown id, a conflict already resolved, or
// source values that cannot be written (their table or columns are gone);
// pg::DatabaseError when the target refuses the write (a constraint, a
// permission).  Nothing is changed in either case.
Settlement settle_conflict(pg::Connection& target, std::int64_t id, Keep keep, std::string_view os_user);

}  // namespace tidemark::conflict_review
