// SourceSequence: a sequence to carry to the target, with its definition
// and its current value, and the rules for which sequences belong to the
// copy: those owned by a copied table (serial and identity columns), those
// a copied table's defaults call, and the others in an included schema
// that no exclude pattern names.
// Must not: write to the target (idp/sequence_copy does).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/source_table.hpp"
#include "catalog/table_pattern.hpp"
#include "pg/connection.hpp"

namespace tidemark::catalog {

struct SourceSequence {
    std::uint32_t oid = 0;
    std::string schema;
    std::string name;
    std::string data_type;  // smallint, integer or bigint
    std::int64_t start = 1;
    std::int64_t increment = 1;
    std::int64_t min_value = 1;
    std::int64_t max_value = 0;
    std::int64_t cache = 1;
    bool cycle = false;
    // The column that owns it: OWNED BY (serial) or an identity column.
    std::optional<std::string> owner_table;  // "schema"."name"
    std::optional<std::string> owner_column;
    bool identity = false;
    // Its state when it was read.
    std::int64_t last_value = 0;
    bool is_called = false;

    std::string qualified() const;
};

// The sequences that go with `tables`, values included, on a connection
// with search_path = '' (as list_tables leaves it).
std::vector<SourceSequence> list_sequences(pg::Connection& source, const TableFilter& filter,
                                           const std::vector<SourceTable>& tables);

}  // namespace tidemark::catalog
