// AddedColumnValues: what the source's existing rows hold in a column that
// was added to their table after they were written.  ADD COLUMN with a
// constant DEFAULT does not rewrite the table: the old rows read the
// column's "missing value" (pg_attribute.attmissingval), and no WAL, so no
// change in the stream, says so.  A column added on the target without it
// would leave NULL in every row the source shows with the default.
// Must not: use the replication connection (it is streaming); it reads
// through the SourceCatalog's connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "schema/source_catalog.hpp"

namespace tidemark::schema {

struct ExistingRows {
    // The text form of the value the rows that predate the column read;
    // nullopt: NULL.
    std::optional<std::string> value;
    // The column has a default but no missing value: either a default that
    // is not a constant (the source then rewrote the table, giving each row
    // a value the stream does not carry) or one set after the column was
    // added (the rows hold NULL).  The source alone cannot tell which.
    bool values_unknown = false;
};

class AddedColumnValues {
public:
    explicit AddedColumnValues(SourceCatalog& catalog) : catalog_(catalog) {}

    // By name, for those of `columns` that the source relation `relid` (a
    // partitioned table: its leaves) has now.  Throws pg::DatabaseError.
    std::unordered_map<std::string, ExistingRows> existing_rows(std::uint32_t relid,
                                                                const std::vector<std::string>& columns);

private:
    SourceCatalog& catalog_;
};

}  // namespace tidemark::schema
