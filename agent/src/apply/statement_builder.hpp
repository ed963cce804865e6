// The SQL the applier sends.  Set-wise: one statement per table and
// operation for a whole conflated batch, every column one binary array
// parameter, e.g.
//   INSERT INTO t (a, b) SELECT u.c0, u.c1::public.mood
//     FROM unnest($1, $2) AS u(c0, c1) ON CONFLICT (a) DO UPDATE SET b = EXCLUDED.b
//   DELETE FROM t AS t USING unnest($1) AS u(c0) WHERE t.a = u.c0
// Row-wise: one statement for one change, values as binary scalar
// parameters, for what set-wise cannot express and for re-applying a
// failed batch change by change.  A value that arrived in a type's binary
// form travels as that type (its OID is a built-in one, the same on the
// target); a value that arrived as text travels as text and is cast to
// the target column's type in SQL.
// Must not: convert any value, or put a name into SQL unquoted.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "apply/change.hpp"
#include "apply/conflation.hpp"
#include "apply/statement.hpp"

namespace tidemark::apply {

// Binary array parameters for `cols` of `rows` (a NULL element where a row
// has no value): per column, the expression reading it (u.<prefix>N, cast
// to the target column's type when the values are text), its parameter
// ($n) and alias, and the whole unnest(...) AS u(...) clause.
struct ArrayColumns {
    std::vector<std::string> exprs;
    std::vector<std::string> args;
    std::vector<std::string> aliases;
    std::string from;
};
ArrayColumns add_arrays(Statement& s, const RelationInfo& rel, const std::vector<std::size_t>& cols,
                        const std::vector<const wire::Tuple*>& rows, std::string_view alias_prefix = "c");

// The decided rows of one keyed table: deleted by key, upserted whole,
// updated in the columns that are not unchanged_toast.
struct KeyedRows {
    std::vector<const wire::Tuple*> removes;
    std::vector<const wire::Tuple*> upserts;
    std::vector<const wire::Tuple*> partial;
};
// With a guard, existing rows are written only while their xmin is one of
// `xmins` (what the conflict probe saw), and a statement that touched
// fewer rows than it was given fails with a data error.
struct RowGuard {
    std::vector<std::string> xmins;
};
std::vector<Statement> keyed_statements(const RelationInfo& rel, const KeyedRows& rows,
                                        const RowGuard* guard = nullptr);

// The statements writing a conflated table: deletes first (they may free
// unique values the upserts take), then upserts or inserts, then the
// updates that left unchanged TOAST values out (one per set of columns).
std::vector<Statement> setwise_statements(const TableConflation& table);

// A change as one statement, or why it cannot be applied at all (e.g. an
// UPDATE or DELETE of a table whose rows nothing identifies).
struct RowPlan {
    std::optional<Statement> statement;
    std::string refusal;
};
RowPlan row_statement(const Change& change);

}  // namespace tidemark::apply
