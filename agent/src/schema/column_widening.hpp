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

}  // namespace tidemark::schema
