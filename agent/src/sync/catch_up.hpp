// The catch-up target of `sync --once`: the source's WAL position when the
// agent looks, so that every transaction committed before it gets applied.
// Must not: return a position the walsender might never report reaching.
#pragma once

#include <cstdint>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace tidemark::sync {

// pg_current_wal_lsn() on the source.  At the very start of a WAL page the
// insert position points past the page header, where no record ends; it
// is moved back to the page boundary, which is where the walsender's
// position stops when the last record fills the previous page.
pg::Lsn catch_up_target(pg::Connection& source);

// The adjustment alone, for a position and the server's wal_block_size.
pg::Lsn page_adjusted(pg::Lsn insert_position, std::uint64_t wal_block_size, std::uint64_t wal_segment_size) noexcept;

}  // namespace tidemark::sync
