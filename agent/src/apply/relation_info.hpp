// RelationInfo: what the applier knows about one source relation in the
// current stream session: the RELATION message, the target table it maps
// to, how values reach it, which key identifies a row there, and the
// Initial Data Package's high-water mark for it.  Immutable once built;
// a new schema version builds a new one.
// Must not: hold a connection or run anything.
#pragma once

#include <libpq-fe.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg/lsn.hpp"
#include "wire/message.hpp"

namespace tidemark::apply {

struct ColumnInfo {
    std::string name;
    std::string quoted;             // the name as a quoted identifier
    std::uint32_t source_type = 0;  // the source's type OID
    // Binary values of this column can travel as a binary array of the
    // source type (its array type, on the target); 0 when the type has no
    // array type (it is itself an array), so binary values go one by one.
    Oid array_type = 0;
    std::string target_type;  // the target column's type, as format_type() names it
    bool identity = false;    // part of the source's replica identity
    // The type text values are cast to: the target column's type under its
    // domains, without a length.  An explicit cast to varchar(3), or to a
    // domain over it, cuts a longer string without a word; written into the
    // column, the value is checked as an assignment is, and refused.
    std::string text_cast;
};

struct RelationInfo {
    std::uint32_t relid = 0;
    std::uint64_t schema_version = 0;
    std::string source_schema;
    std::string source_name;
    std::string source_table;  // "schema"."name", as tidemark.tables and table_stats key it
    std::string target_table;  // quoted and qualified, ready for SQL
    wire::ReplicaIdentity replica_identity = wire::ReplicaIdentity::default_key;
    std::vector<ColumnInfo> columns;
    // The target key that identifies a row (indexes into columns), chosen
    // among the target's primary key and usable unique indexes; empty
    // when the target has none the source's old tuples can fill.
    std::vector<std::size_t> key;
    // Whole rows for the key go through MERGE instead of INSERT ... ON
    // CONFLICT DO UPDATE: the target has MERGE (PostgreSQL 15+), the table
    // has no rule (MERGE refuses those), and each key column's values
    // arrive in its own type, so the join on the key can use its index.
    bool merge_rows = false;
    // Columns that find a row when there is no key: every column under
    // REPLICA IDENTITY FULL, else the source's identity columns.
    std::vector<std::size_t> locate;
    // Changes committed below this LSN are in the table's copy already.
    std::optional<pg::Lsn> high_water_mark;
    // A partition the stream names only when it is truncated alone: its
    // root, "schema"."name" on the source, whose target table (target_table)
    // holds its rows, those within `partition_bounds` (nullopt: the target
    // cannot tell them apart, under hash partitioning).
    std::optional<std::string> partition_root;
    std::optional<std::string> partition_bounds;

    bool keyed() const noexcept { return !key.empty(); }
    bool full_identity() const noexcept { return replica_identity == wire::ReplicaIdentity::full; }
};

}  // namespace tidemark::apply
