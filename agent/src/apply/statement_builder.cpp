// See statement_builder.hpp.
#include "apply/statement_builder.hpp"

#include <map>

#include "apply/apply_error.hpp"
#include "apply/array_param.hpp"
#include "catalog/row_identity.hpp"
#include "pg/quoting.hpp"

namespace tidemark::apply {
namespace {

bool has_value(const wire::Value& v) { return v.kind == wire::ValueKind::text || v.kind == wire::ValueKind::binary; }

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += sep;
        out += items[i];
    }
    return out;
}

std::string key_list(const RelationInfo& rel) {
    std::vector<std::string> names;
    for (std::size_t k : rel.key) names.push_back(rel.columns[k].quoted);
    return join(names, ", ");
}

bool is_key(const RelationInfo& rel, std::size_t col) {
    for (std::size_t k : rel.key)
        if (k == col) return true;
    return false;
}

// ---- set-wise -------------------------------------------------------------

}  // namespace

ArrayColumns add_arrays(Statement& s, const RelationInfo& rel, const std::vector<std::size_t>& cols,
                        const std::vector<const wire::Tuple*>& rows, std::string_view alias_prefix) {
    ArrayColumns out;
    std::vector<std::string>& args = out.args;
    std::vector<std::string>& aliases = out.aliases;
    for (std::size_t j = 0; j < cols.size(); ++j) {
        const ColumnInfo& c = rel.columns[cols[j]];
        bool binary = false;
        for (const wire::Tuple* row : rows) {
            const wire::Value& v = (*row)[cols[j]];
            if (has_value(v)) {
                binary = v.kind == wire::ValueKind::binary;
                break;
            }
        }
        ArrayParam array(binary ? c.source_type : kTextOid, rows.size());
        for (const wire::Tuple* row : rows) {
            const wire::Value& v = (*row)[cols[j]];
            if (!has_value(v)) {
                array.add_null();
                continue;
            }
            if ((v.kind == wire::ValueKind::binary) != binary)
                throw ApplyError("column " + c.name + " of " + rel.source_table +
                                 " carries both text and binary values in one batch");
            array.add(v.bytes);
        }
        int n = s.own(array.finish(), true, binary ? c.array_type : kTextArrayOid);
        std::string alias = std::string(alias_prefix) + std::to_string(j);
        args.push_back("$" + std::to_string(n));
        aliases.push_back(alias);
        out.exprs.push_back(binary ? "u." + alias : "u." + alias + "::" + c.text_cast);
    }
    out.from = "unnest(" + join(args, ", ") + ") AS u(" + join(aliases, ", ") + ")";
    return out;
}

namespace {

std::vector<std::size_t> all_columns(const RelationInfo& rel) {
    std::vector<std::size_t> cols(rel.columns.size());
    for (std::size_t i = 0; i < cols.size(); ++i) cols[i] = i;
    return cols;
}

std::string conflict_clause(const RelationInfo& rel) {
    std::vector<std::string> sets;
    for (std::size_t i = 0; i < rel.columns.size(); ++i)
        if (!is_key(rel, i)) sets.push_back(rel.columns[i].quoted + " = EXCLUDED." + rel.columns[i].quoted);
    std::string out = " ON CONFLICT (" + key_list(rel) + ") DO ";
    return out + (sets.empty() ? "NOTHING" : "UPDATE SET " + join(sets, ", "));
}

Statement insert_rows(const RelationInfo& rel, const std::vector<const wire::Tuple*>& rows, bool upsert) {
    Statement s;
    s.reusable = true;
    s.context = "while writing " + std::to_string(rows.size()) + " rows to " + rel.target_table;
    auto cols = all_columns(rel);
    ArrayColumns a = add_arrays(s, rel, cols, rows);
    std::vector<std::string> names;
    for (std::size_t i : cols) names.push_back(rel.columns[i].quoted);
    s.sql = "INSERT INTO " + rel.target_table + " (" + join(names, ", ") + ") SELECT " + join(a.exprs, ", ") +
            " FROM " + a.from;
    if (upsert) s.sql += conflict_clause(rel);
    return s;
}

// What INSERT ... ON CONFLICT DO UPDATE does, without its cost for a row
// that exists (most of them: the rows of updates): a speculative insertion
// that finds the conflict, then a lock on the row written to the WAL before
// the update itself.  MERGE finds the row by joining on the key and
// updates the columns it names, so a NOT NULL column the source no longer
// has does not refuse an update either.  A row inserted by another session
// in between is a unique violation, which the batch's change-by-change
// replay then writes.  `exprs` give the values of columns `cols` (the key
// among them), selected FROM `from` when it is not empty.
std::string merge_sql(const RelationInfo& rel, const std::vector<std::size_t>& cols,
                      const std::vector<std::string>& exprs, const std::string& from) {
    std::vector<std::string> names, values, on, sets;
    for (std::size_t i : cols) {
        const std::string& name = rel.columns[i].quoted;
        names.push_back(name);
        values.push_back("s." + name);
        if (is_key(rel, i))
            on.push_back("t." + name + " = s." + name);
        else
            sets.push_back(name + " = s." + name);
    }
    return "MERGE INTO " + rel.target_table + " AS t USING (SELECT " + join(exprs, ", ") +
           (from.empty() ? "" : " FROM " + from) + ") AS s(" + join(names, ", ") + ") ON " + join(on, " AND ") +
           " WHEN MATCHED THEN " + (sets.empty() ? std::string("DO NOTHING") : "UPDATE SET " + join(sets, ", ")) +
           " WHEN NOT MATCHED THEN INSERT (" + join(names, ", ") + ") VALUES (" + join(values, ", ") + ")";
}

Statement merge_rows(const RelationInfo& rel, const std::vector<const wire::Tuple*>& rows) {
    Statement s;
    s.reusable = true;
    s.context = "while writing " + std::to_string(rows.size()) + " rows to " + rel.target_table;
    auto cols = all_columns(rel);
    ArrayColumns a = add_arrays(s, rel, cols, rows);
    s.sql = merge_sql(rel, cols, a.exprs, a.from);
    return s;
}

Statement delete_rows(const RelationInfo& rel, const std::vector<const wire::Tuple*>& rows) {
    Statement s;
    s.reusable = true;
    s.context = "while deleting " + std::to_string(rows.size()) + " rows from " + rel.target_table;
    ArrayColumns a = add_arrays(s, rel, rel.key, rows);
    std::vector<std::string> preds;
    for (std::size_t j = 0; j < rel.key.size(); ++j)
        preds.push_back("t." + rel.columns[rel.key[j]].quoted + " = " + a.exprs[j]);
    s.sql = "DELETE FROM " + rel.target_table + " AS t USING " + a.from + " WHERE " + join(preds, " AND ");
    return s;
}

std::optional<Statement> update_rows(const RelationInfo& rel, const std::vector<bool>& unchanged,
                                     const std::vector<const wire::Tuple*>& rows) {
    std::vector<std::size_t> cols = rel.key;
    std::vector<std::size_t> set_cols;
    for (std::size_t i = 0; i < rel.columns.size(); ++i)
        if (!unchanged[i] && !is_key(rel, i)) set_cols.push_back(i);
    // Every column left out: the rows are as they were.
    if (set_cols.empty()) return std::nullopt;
    cols.insert(cols.end(), set_cols.begin(), set_cols.end());
    Statement s;
    s.reusable = true;
    s.context = "while updating " + std::to_string(rows.size()) + " rows of " + rel.target_table;
    ArrayColumns a = add_arrays(s, rel, cols, rows);
    std::vector<std::string> preds, sets;
    for (std::size_t j = 0; j < rel.key.size(); ++j)
        preds.push_back("t." + rel.columns[rel.key[j]].quoted + " = " + a.exprs[j]);
    for (std::size_t j = rel.key.size(); j < cols.size(); ++j)
        sets.push_back(rel.columns[cols[j]].quoted + " = " + a.exprs[j]);
    s.sql = "UPDATE " + rel.target_table + " AS t SET " + join(sets, ", ") + " FROM " + a.from + " WHERE " +
            join(preds, " AND ");
    return s;
}

// ---- row-wise -------------------------------------------------------------

std::string scalar(Statement& s, const ColumnInfo& c, const wire::Value& v) {
    switch (v.kind) {
        case wire::ValueKind::binary:
            return "$" + std::to_string(s.borrow(v.bytes, true, c.source_type));
        case wire::ValueKind::text:
            // Binary text is the text's bytes: no copy, no terminator needed.
            return "$" + std::to_string(s.borrow(v.bytes, true, kTextOid)) + "::" + c.text_cast;
        default:
            return "NULL::" + c.target_type;
    }
}

bool has_unchanged(const wire::Tuple& t) {
    for (const auto& v : t)
        if (v.kind == wire::ValueKind::unchanged_toast) return true;
    return false;
}

Statement insert_one(const RelationInfo& rel, const wire::Tuple& row, bool upsert) {
    Statement s;
    s.context = "while writing a row to " + rel.target_table;
    std::vector<std::size_t> cols;
    std::vector<std::string> names, exprs;
    for (std::size_t i = 0; i < rel.columns.size() && i < row.size(); ++i) {
        cols.push_back(i);
        names.push_back(rel.columns[i].quoted);
        exprs.push_back(scalar(s, rel.columns[i], row[i]));
    }
    if (upsert && rel.merge_rows) {
        s.sql = merge_sql(rel, cols, exprs, "");
        return s;
    }
    s.sql = "INSERT INTO " + rel.target_table + " (" + join(names, ", ") + ") VALUES (" + join(exprs, ", ") + ")";
    if (upsert) s.sql += conflict_clause(rel);
    return s;
}

std::vector<std::string> set_list(Statement& s, const RelationInfo& rel, const wire::Tuple& row) {
    std::vector<std::string> sets;
    for (std::size_t i = 0; i < rel.columns.size() && i < row.size(); ++i)
        if (row[i].kind != wire::ValueKind::unchanged_toast)
            sets.push_back(rel.columns[i].quoted + " = " + scalar(s, rel.columns[i], row[i]));
    return sets;
}

std::string key_predicate(Statement& s, const RelationInfo& rel, const wire::Tuple& row) {
    std::vector<std::string> preds;
    for (std::size_t k : rel.key)
        preds.push_back("t." + rel.columns[k].quoted + " = " + scalar(s, rel.columns[k], row[k]));
    return join(preds, " AND ");
}

// The one row an UPDATE or DELETE of a table without a key touches: the
// first that matches the source's identity (or, under REPLICA IDENTITY
// FULL, every old value compared by its text form, which needs no
// equality operator and tells 1.0 from 1.00 as the source did).
std::optional<std::string> locate_predicate(Statement& s, const RelationInfo& rel, const wire::Tuple& row) {
    std::vector<std::string> preds;
    for (std::size_t c : rel.locate) {
        if (c >= row.size() || row[c].kind == wire::ValueKind::unchanged_toast) continue;
        const ColumnInfo& col = rel.columns[c];
        if (rel.full_identity()) {
            if (row[c].kind == wire::ValueKind::null)
                preds.push_back("s." + col.quoted + " IS NULL");
            else
                preds.push_back("s." + col.quoted + "::text IS NOT DISTINCT FROM (" + scalar(s, col, row[c]) +
                                ")::text");
        } else {
            if (!has_value(row[c])) return std::nullopt;
            preds.push_back("s." + col.quoted + " = " + scalar(s, col, row[c]));
        }
    }
    if (preds.empty()) return std::nullopt;
    return "(t.tableoid, t.ctid) = (SELECT s.tableoid, s.ctid FROM " + rel.target_table + " AS s WHERE " +
           join(preds, " AND ") + " LIMIT 1)";
}

std::string no_identity(const RelationInfo& rel, std::string_view what) {
    return "cannot " + std::string(what) + " a row of " + rel.source_table +
           ": the change does not identify the row (the source table has REPLICA IDENTITY NOTHING, or DEFAULT "
           "without a primary key); on the source: " +
           catalog::replica_identity_fix(rel.source_table, false);
}

RowPlan update_one(const Change& ch) {
    const RelationInfo& rel = *ch.relation;
    const wire::Tuple& where = ch.old_kind != wire::OldKind::none ? ch.old_tuple : ch.new_tuple;
    RowPlan plan;
    if (rel.keyed()) {
        auto old_key = key_bytes(rel, where);
        if (!old_key) {
            plan.refusal = "cannot update a row of " + rel.source_table + ": its key is not in the change";
            return plan;
        }
        if (!has_unchanged(ch.new_tuple) && key_bytes(rel, ch.new_tuple) == old_key) {
            plan.statement = insert_one(rel, ch.new_tuple, true);
            return plan;
        }
        Statement s;
        s.context = "while updating a row of " + rel.target_table;
        auto sets = set_list(s, rel, ch.new_tuple);
        std::string pred = key_predicate(s, rel, where);
        if (sets.empty()) return plan;
        s.sql = "UPDATE " + rel.target_table + " AS t SET " + join(sets, ", ") + " WHERE " + pred;
        plan.statement = std::move(s);
        return plan;
    }
    Statement s;
    s.context = "while updating a row of " + rel.target_table;
    auto sets = set_list(s, rel, ch.new_tuple);
    auto pred = locate_predicate(s, rel, where);
    if (!pred) {
        plan.refusal = no_identity(rel, "update");
        return plan;
    }
    if (sets.empty()) return plan;
    s.sql = "UPDATE " + rel.target_table + " AS t SET " + join(sets, ", ") + " WHERE " + *pred;
    plan.statement = std::move(s);
    return plan;
}

RowPlan delete_one(const Change& ch) {
    const RelationInfo& rel = *ch.relation;
    RowPlan plan;
    Statement s;
    s.context = "while deleting a row from " + rel.target_table;
    if (ch.old_kind == wire::OldKind::none) {
        plan.refusal = no_identity(rel, "delete");
        return plan;
    }
    if (rel.keyed()) {
        if (!key_bytes(rel, ch.old_tuple)) {
            plan.refusal = "cannot delete a row of " + rel.source_table + ": its key is not in the change";
            return plan;
        }
        s.sql = "DELETE FROM " + rel.target_table + " AS t WHERE " + key_predicate(s, rel, ch.old_tuple);
    } else {
        auto pred = locate_predicate(s, rel, ch.old_tuple);
        if (!pred) {
            plan.refusal = no_identity(rel, "delete");
            return plan;
        }
        s.sql = "DELETE FROM " + rel.target_table + " AS t WHERE " + *pred;
    }
    plan.statement = std::move(s);
    return plan;
}

// A partition truncated alone: the target keeps its rows in its root's
// table, among the other partitions' rows.
RowPlan truncate_partition(const RelationInfo& rel) {
    RowPlan plan;
    if (!rel.partition_bounds) {
        plan.refusal = "partition " + rel.source_table + " was truncated on the source, but its rows cannot be told " +
                       "apart from the other partitions' in target table " + rel.target_table +
                       " (hash partitioning); copy the table again: tidemark sync --reseed " + *rel.partition_root;
        return plan;
    }
    plan.statement =
        Statement("DELETE FROM " + rel.target_table + " WHERE " + *rel.partition_bounds,
                  "while deleting the rows of truncated partition " + rel.source_table + " from " + rel.target_table);
    return plan;
}

RowPlan truncate_all(const Change& ch) {
    if (ch.truncated.size() == 1 && ch.truncated.front()->partition_root)
        return truncate_partition(*ch.truncated.front());
    std::vector<std::string> names;
    for (const auto& rel : ch.truncated) names.push_back(rel->target_table);
    RowPlan plan;
    if (names.empty()) return plan;
    Statement s("TRUNCATE " + join(names, ", "), "while truncating " + join(names, ", "));
    if (ch.restart_identity) s.sql += " RESTART IDENTITY";
    if (ch.cascade) s.sql += " CASCADE";
    plan.statement = std::move(s);
    return plan;
}

}  // namespace

namespace {

// The statement touches an existing row only while its xmin is one the
// guard lists, and fails (SQLSTATE 22P02, a data error) when it touched
// fewer rows than it was given: the batch is then applied again change by
// change instead of overwriting a row someone changed since it was probed.
void guard(Statement& s, const RelationInfo& rel, const RowGuard& g, std::size_t rows, bool upsert) {
    ArrayParam xmins(kTextOid, g.xmins.size());
    for (const auto& x : g.xmins) xmins.add(x);
    const std::string listed =
        "t.xmin = ANY($" + std::to_string(s.own(xmins.finish(), true, kTextArrayOid)) + "::xid[])";
    if (upsert) {
        const std::string plain = "INSERT INTO " + rel.target_table + " (";
        s.sql.replace(0, plain.size(), "INSERT INTO " + rel.target_table + " AS t (");
        s.sql += " WHERE " + listed;
    } else {
        s.sql += " AND " + listed;
    }
    const int expected = s.own(std::to_string(rows), false, 20);
    // The message depends on the count, so it is built (and fails) only
    // when the count is wrong, never folded into a constant at planning.
    s.sql = "WITH w AS (" + s.sql + " RETURNING 1) SELECT ('tidemark: ' || c.n || " +
            pg::quote_literal(" rows of " + rel.target_table +
                              " were written instead of the ones probed; a row changed on the target between the "
                              "conflict probe and the write") +
            ")::int FROM (SELECT count(*) AS n FROM w) AS c WHERE c.n <> $" + std::to_string(expected) + "::int8";
}

bool has_non_key_column(const RelationInfo& rel) {
    for (std::size_t i = 0; i < rel.columns.size(); ++i)
        if (!is_key(rel, i)) return true;
    return false;
}

}  // namespace

std::vector<Statement> keyed_statements(const RelationInfo& rel, const KeyedRows& rows, const RowGuard* row_guard) {
    std::vector<Statement> out;
    std::map<std::vector<bool>, std::vector<const wire::Tuple*>> partial;
    for (const wire::Tuple* t : rows.partial) {
        std::vector<bool> mask(t->size());
        for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = (*t)[i].kind == wire::ValueKind::unchanged_toast;
        partial[mask].push_back(t);
    }
    if (!rows.removes.empty()) {
        out.push_back(delete_rows(rel, rows.removes));
        if (row_guard) guard(out.back(), rel, *row_guard, rows.removes.size(), false);
    }
    if (!rows.upserts.empty() && rel.merge_rows && !row_guard) {
        // The guard counts the rows a RETURNING clause gives back, which
        // MERGE has only from PostgreSQL 17.
        out.push_back(merge_rows(rel, rows.upserts));
    } else if (!rows.upserts.empty()) {
        out.push_back(insert_rows(rel, rows.upserts, true));
        // ON CONFLICT DO NOTHING (a table of key columns only) leaves
        // nothing to overwrite and no count to check.
        if (row_guard && has_non_key_column(rel)) guard(out.back(), rel, *row_guard, rows.upserts.size(), true);
    }
    for (const auto& [mask, group] : partial)
        if (auto s = update_rows(rel, mask, group)) {
            out.push_back(std::move(*s));
            if (row_guard) guard(out.back(), rel, *row_guard, group.size(), false);
        }
    return out;
}

std::vector<Statement> setwise_statements(const TableConflation& table) {
    const RelationInfo& rel = table.relation();
    std::vector<Statement> out;
    if (!rel.keyed()) {
        if (table.inserts().empty()) return out;
        std::vector<const wire::Tuple*> rows;
        rows.reserve(table.inserts().size());
        for (const wire::Tuple* t : table.inserts()) rows.push_back(t);
        out.push_back(insert_rows(rel, rows, false));
        return out;
    }
    KeyedRows rows;
    for (const auto& e : table.entries()) {
        switch (e.op) {
            case EntryOp::remove:
                rows.removes.push_back(&e.tuple());
                break;
            case EntryOp::upsert:
                rows.upserts.push_back(&e.tuple());
                break;
            case EntryOp::partial_update:
                rows.partial.push_back(&e.tuple());
                break;
        }
    }
    return keyed_statements(rel, rows);
}

RowPlan row_statement(const Change& change) {
    switch (change.kind) {
        case ChangeKind::insert: {
            RowPlan plan;
            plan.statement = insert_one(*change.relation, change.new_tuple, change.relation->keyed());
            return plan;
        }
        case ChangeKind::update:
            return update_one(change);
        case ChangeKind::remove:
            return delete_one(change);
        case ChangeKind::truncate:
            return truncate_all(change);
    }
    return RowPlan{};
}

}  // namespace tidemark::apply
