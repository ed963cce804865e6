// What the sync report lists of a run's conflicts and late arrivals, read
// back from tidemark.conflicts and tidemark.late_arrivals as JSON objects
// in the seed's report shapes (record_id, conflict_type, fields, the
// values of each side, resolution; expected and actual timestamps, delay).
// Must not: change the tables.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pg/connection.hpp"

namespace tidemark::conflict {

// The pipeline's records detected at or after `since` (PostgreSQL
// microseconds), oldest first, at most `limit`.  Empty when the target has
// no such tables yet.
std::vector<std::string> load_reported_conflicts(pg::Connection& target, const std::string& pipeline,
                                                 std::int64_t since, int limit);
std::vector<std::string> load_reported_late_arrivals(pg::Connection& target, const std::string& pipeline,
                                                     std::int64_t since, int limit);

}  // namespace tidemark::conflict
