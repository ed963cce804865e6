// RowStatements: the SQL that writes a conflict's parked source values to
// the target row it names, by key.  Values travel as one jsonb parameter
// and are read with jsonb_populate_record over the table's own row type,
// so every value is converted by the column's type as on input; every
// identifier is quoted.
// Must not: decide which statement a conflict needs (settlement.cpp does),
// or run anything.
#pragma once

#include <string>
#include <vector>

namespace tidemark::conflict_review {

// Parameters: update and insert take $1 the values (jsonb) and $2 the
// record key (jsonb); delete_row and select_row take the key as $1.
// `table` is the quoted, qualified name.
struct RowStatements {
    std::string table;
    std::vector<std::string> key_columns;

    // UPDATE of `columns` (none of them a key column) on the keyed row.
    std::string update(const std::vector<std::string>& columns) const;
    // INSERT of `columns` (the key columns among them) from $1 || $2;
    // OVERRIDING SYSTEM VALUE so an identity key keeps the source's value.
    std::string insert(const std::vector<std::string>& columns) const;
    std::string delete_row() const;
    // The target row as jsonb (to_jsonb), one row or none.
    std::string select_row() const;
};

}  // namespace tidemark::conflict_review
