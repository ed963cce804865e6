// SourceTable: what the Initial Data Package knows about one table to copy,
// as read from the source's catalogs inside the snapshot: its columns with
// their types as SQL text, its keys and indexes, and its size.
// Must not: hold anything read outside the snapshot's catalogs, or target
// state (the target's own definition is catalog/target_schema's business).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tidemark::catalog {

enum class TableKind {
    ordinary,     // relkind 'r'
    partitioned,  // relkind 'p': copied as one table through its root
};

enum class Identity : char {
    none = '\0',
    always = 'a',
    by_default = 'd',
};

struct SourceColumn {
    std::string name;
    // format_type() with search_path = '': schema-qualified where needed.
    std::string type;
    std::uint32_t type_oid = 0;
    std::int32_t typmod = -1;
    bool not_null = false;
    // The expression of a GENERATED ALWAYS AS (...) STORED column.
    std::optional<std::string> generated;
    // The DEFAULT expression, when it calls only built-in functions.
    std::optional<std::string> default_expr;
    Identity identity = Identity::none;
    // "schema"."collation" when it differs from the type's default.
    std::optional<std::string> collation;
};

// An index other than the primary key, created on the target after the
// data.  Constraint-backed ones (UNIQUE, EXCLUDE) are re-created as
// constraints so that ON CONFLICT and the catalogs see the same thing.
struct SecondaryIndex {
    std::string name;
    // pg_get_indexdef(), schema-qualified.
    std::string index_definition;
    // pg_get_constraintdef() and the constraint name, for constraint indexes.
    std::optional<std::string> constraint_name;
    std::optional<std::string> constraint_definition;
};

struct CheckConstraint {
    std::string name;
    std::string definition;  // pg_get_constraintdef(): "CHECK (...)"
};

struct SourceTable {
    std::uint32_t oid = 0;
    std::string schema;
    std::string name;
    TableKind kind = TableKind::ordinary;
    // Every live column in attnum order, generated ones included.
    std::vector<SourceColumn> columns;
    // Primary key column names in key order, empty without one.
    std::vector<std::string> primary_key;
    std::string primary_key_name;
    std::vector<CheckConstraint> checks;
    std::vector<SecondaryIndex> indexes;
    // pg_class.reltuples (summed over the leaves of a partitioned table);
    // negative when the table was never vacuumed or analyzed.
    double estimated_rows = -1;
    // pg_class.relpages behind estimated_rows (summed likewise).
    std::int64_t stats_pages = 0;
    // The heap's current size in blocks (for a partitioned table, the
    // largest leaf's): the end of the ctid range to copy.
    std::int64_t pages = 0;

    // "schema"."name", the form tidemark.tables keeps.
    std::string qualified() const;
    // The columns COPY moves: all but generated ones.
    std::vector<const SourceColumn*> copy_columns() const;
};

}  // namespace tidemark::catalog
