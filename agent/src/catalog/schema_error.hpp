// SchemaError: the target cannot take the source's tables as they are (a
// missing table without create_tables, a column the target lacks).  The
// message names the table, the column and the way out.
// Must not: be used for database failures (pg::DatabaseError is).
#pragma once

#include <stdexcept>

namespace tidemark::catalog {

class SchemaError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace tidemark::catalog
