// Whether a target column can hold every value of the source column's
// type, and if not, the type it must become: a source `ALTER COLUMN ...
// TYPE` that widens a column (varchar(20) -> varchar(100), int -> bigint,
// numeric(10,2) -> numeric(12,4), timestamp(0) -> timestamp(3)) sends no
// row, only a new RELATION, and the target's older, narrower type would
// round the new values without a word (numeric, timestamps) or refuse
// them.  Only sizes of one kind of type are compared (the integers, the
// floats, numeric, the strings, bit strings, times): a target column of
// another kind was made so on purpose, and is left to the DBA.
// Must not: narrow a column, or widen one the target already made wider.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <string>

#include "pg/connection.hpp"

namespace tidemark::schema {

struct ColumnType {
    Oid oid = 0;
    std::int32_t typmod = -1;
};

// The type the target column needs, nullopt when it already holds every
// source value or the two types are not sizes of one kind.  The result is
// the source's type, or for numeric the smallest that holds both sides'
// digits.
std::optional<ColumnType> widened_type(ColumnType source, ColumnType target);

struct Widening {
    std::string source_type;  // format_type() of the source's type
    std::string type;         // the type the column needs
    std::string sql;          // the ALTER TABLE that widens it
};

// The ALTER TABLE that widens `column` of `table` (quoted, qualified) on
// `target`, whose type is `current`, so that it holds every value of
// `source`; nullopt when it already does (widened_type).  The types are
// named by the target's format_type(), which knows every built-in type.
std::optional<Widening> widening(pg::Connection& target, const std::string& table, const std::string& column,
                                 ColumnType source, ColumnType current);

}  // namespace tidemark::schema
