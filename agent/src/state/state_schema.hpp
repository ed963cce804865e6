// The schema `tidemark` on the target that holds every pipeline's state:
// creating it and migrating it from an older layout.  Owns the layout's
// version number and the ordered list of migrations.
// Must not: read or write any pipeline's rows (the record files do).
#pragma once

#include "pg/connection.hpp"

namespace tidemark::state {

// The layout this agent reads and writes (tidemark.state_format.version).
inline constexpr int kStateFormatVersion = 4;

// Creates the schema and its tables when missing, or runs the migrations
// from the version found up to kStateFormatVersion, in one transaction
// under an advisory lock so concurrent agents do not race.  Throws
// std::runtime_error when the target holds a newer layout than this agent
// knows, pg::DatabaseError when the target refuses.
void ensure_state_schema(pg::Connection& conn);

}  // namespace tidemark::state
