// See catch_up.hpp.
#include "sync/catch_up.hpp"

#include <string>

namespace tidemark::sync {
namespace {

// XLogPageHeaderData and XLogLongPageHeaderData, MAXALIGNed, as in
// access/xlog_internal.h: the long form opens each WAL segment.
constexpr std::uint64_t kShortPageHeader = 24;
constexpr std::uint64_t kLongPageHeader = 40;

}  // namespace

pg::Lsn page_adjusted(pg::Lsn insert_position, std::uint64_t wal_block_size, std::uint64_t wal_segment_size) noexcept {
    if (wal_block_size == 0 || wal_segment_size == 0) return insert_position;
    std::uint64_t v = insert_position.value();
    std::uint64_t header = v % wal_segment_size < wal_block_size ? kLongPageHeader : kShortPageHeader;
    if (v % wal_block_size == header) return pg::Lsn(v - header);
    return insert_position;
}

pg::Lsn catch_up_target(pg::Connection& source) {
    pg::Result r = source.exec(
        "SELECT pg_catalog.pg_current_wal_lsn(), current_setting('wal_block_size'), "
        "pg_catalog.pg_size_bytes(current_setting('wal_segment_size'))",
        "while reading the source's WAL position (the catch-up target of --once)");
    return page_adjusted(pg::Lsn::parse(r.value(0, 0)), std::stoull(std::string(r.value(0, 1))),
                         std::stoull(std::string(r.value(0, 2))));
}

}  // namespace tidemark::sync
