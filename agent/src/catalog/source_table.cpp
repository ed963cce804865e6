// See source_table.hpp.
#include "catalog/source_table.hpp"

#include "pg/quoting.hpp"

namespace tidemark::catalog {

std::string SourceTable::qualified() const { return pg::quote_qualified(schema, name); }

std::vector<const SourceColumn*> SourceTable::copy_columns() const {
    std::vector<const SourceColumn*> out;
    out.reserve(columns.size());
    for (const auto& c : columns)
        if (!c.generated) out.push_back(&c);
    return out;
}

}  // namespace tidemark::catalog
