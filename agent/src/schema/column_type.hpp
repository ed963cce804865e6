// The SQL type of a source column as the target must spell it in DDL:
// the decoder's type_name for types that are not built in (they must
// exist on the target under that name), format_type(oid, typmod) on the
// target for built-in ones (their OIDs are the same on every server).
// Must not: guess a type the target does not confirm.
#pragma once

#include <string>
#include <vector>

#include "pg/connection.hpp"
#include "wire/message.hpp"

namespace tidemark::schema {

// One round trip for all the columns.
std::vector<std::string> column_types(pg::Connection& target, const std::vector<wire::Column>& columns);

}  // namespace tidemark::schema
