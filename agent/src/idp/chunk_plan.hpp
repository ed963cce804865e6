// ChunkPlan: how one table is cut into chunks that jobs copy in parallel
// and that commit one by one.  Chunks are ranges of heap pages, selected
// with `ctid >= '(first,0)' AND ctid < '(end,0)'`, which PostgreSQL 14+
// runs as a TID Range Scan reading only those pages (as pgcopydb does).
// Unlike key ranges this works for every table (no key, composite key,
// text key, partitioned), reads the heap sequentially, and needs no index;
// the pages of the rows a snapshot sees all exist when the copy starts, so
// the last chunk is open-ended and rows of later pages are never visible.
// Must not: depend on a key, or read rows (only sizes and a sample count).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/source_table.hpp"
#include "pg/connection.hpp"

namespace tidemark::idp {

struct Chunk {
    int number = 0;                          // 0, 1, ... as in tidemark.copy_chunks.chunk
    std::optional<std::int64_t> first_page;  // nullopt: from the start
    std::optional<std::int64_t> end_page;    // exclusive; nullopt: to the end

    // "(p,0)" as tidemark.copy_chunks keeps the bounds; nullopt when open.
    std::optional<std::string> lower_bound() const;
    std::optional<std::string> upper_bound() const;
    // "" or " WHERE ctid >= '(p,0)'::pg_catalog.tid AND ..." for the SELECT.
    std::string where_clause() const;
};

// Cuts `pages` pages holding about `estimated_rows` rows into chunks of
// about `chunk_rows` rows each (at least one page per chunk).  One chunk
// when the table is small, the estimate unknown (negative), or the server
// has no TID range scans (`tid_range_scans` false: before 14 each chunk
// would scan the whole table).
std::vector<Chunk> plan_chunks(std::int64_t pages, double estimated_rows, std::int64_t chunk_rows,
                               bool tid_range_scans);

// Rows in each table now, from pg_class.reltuples scaled to the current
// size as the planner does, or, for a table never analyzed, from counting
// the rows of its first pages.  `source` is in the snapshot.  A count keeps
// its table locked until the transaction ends, so the counts run inside a
// savepoint that is rolled back every few tables: a source of many
// thousands of tables never needs more than a handful of locks here.
std::vector<double> estimate_rows(pg::Connection& source, const std::vector<catalog::SourceTable>& tables);

// "FROM ONLY t" for an ordinary table (inheritance children are tables of
// their own), "FROM t" for a partitioned one (its partitions' rows).
std::string from_clause(const catalog::SourceTable& table);

}  // namespace tidemark::idp
