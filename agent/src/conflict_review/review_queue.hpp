// ReviewQueue: reading tidemark.conflicts on the target for people, in the
// order the conflicts were logged.  The queue is the target's: it holds the
// conflicts of every pipeline that writes to that database.
// Must not: change anything (settlement.hpp settles a conflict).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg/connection.hpp"

namespace tidemark::conflict_review {

// The columns a person scans a list by; times in UTC, ISO 8601.
struct ConflictSummary {
    std::int64_t id = 0;
    std::string pipeline;
    std::string source_name;
    std::string target_table;
    std::string record_key;  // jsonb text, e.g. {"id": 7}
    std::string kind;
    // The columns involved, as SQL names ("email, status"); nullopt: the
    // whole row.
    std::optional<std::string> columns;
    std::string strategy;
    std::string status;
    std::string detected_at;
};

struct ListFilter {
    bool pending_only = false;
    std::optional<std::string> pipeline;  // only the conflicts this pipeline logged
};

std::vector<ConflictSummary> list_conflicts(pg::Connection& target, const ListFilter& filter);

// Every column of each conflict as one JSON object (to_jsonb of the row,
// so columns added to the table later come along), timestamps in UTC.
std::vector<std::string> list_conflicts_json(pg::Connection& target, const ListFilter& filter);

// True when the target holds tidemark's state schema with its conflict
// log (a target no agent has run against yet has none).
bool has_conflict_log(pg::Connection& target);

}  // namespace tidemark::conflict_review
