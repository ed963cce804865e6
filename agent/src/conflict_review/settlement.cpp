// See settlement.hpp.
#include "conflict_review/settlement.hpp"

#include <algorithm>
#include <set>
#include <vector>

#include "conflict_review/resolver_identity.hpp"
#include "conflict_review/review_error.hpp"
#include "conflict_review/row_statements.hpp"
#include "pg/quoting.hpp"
#include "pg/transaction.hpp"

namespace tidemark::conflict_review {
namespace {

struct ParkedConflict {
    std::string status;
    std::string kind;
    std::string target_table;
    std::string record_key;
    bool whole_row = true;                     // columns IS NULL
    std::optional<std::string> source_values;  // jsonb text
    std::string resolved_at;
    std::string resolved_by;
    std::string resolution;
    std::string database_role;
};

struct TableColumn {
    std::string name;
    bool writable = true;    // not generated, not GENERATED ALWAYS AS IDENTITY
    bool insertable = true;  // not generated
};

struct TargetTable {
    std::string quoted;
    std::string oid;
    std::vector<TableColumn> columns;

    const TableColumn* find(std::string_view name) const {
        for (const auto& c : columns)
            if (c.name == name) return &c;
        return nullptr;
    }
};

std::string id_text(std::int64_t id) { return std::to_string(id); }

ParkedConflict lock_conflict(pg::Connection& target, std::int64_t id) {
    pg::Result r = target.exec_params(
        "SELECT status, kind, target_table, record_key::text, columns IS NULL, source_values::text, "
        "       to_char(resolved_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), resolved_by, resolution, current_user "
        "FROM tidemark.conflicts WHERE id = $1 FOR UPDATE",
        pg::TextParams{id_text(id)}, "while locking conflict " + id_text(id) + " in tidemark.conflicts");
    if (r.rows() == 0)
        throw ReviewError("there is no conflict with id " + id_text(id) +
                          " on the target; `tidemark conflicts list --pending` shows the pending ones");
    ParkedConflict c;
    c.status = r.value(0, 0);
    c.kind = r.value(0, 1);
    c.target_table = r.value(0, 2);
    c.record_key = r.value(0, 3);
    c.whole_row = r.value(0, 4) == "t";
    if (auto v = r.optional_value(0, 5)) c.source_values = std::string(*v);
    c.resolved_at = r.value(0, 6);
    c.resolved_by = r.value(0, 7);
    c.resolution = r.value(0, 8);
    c.database_role = r.value(0, 9);
    return c;
}

std::vector<std::string> column_values(pg::Connection& target, std::int64_t id, std::string_view expression,
                                       std::string_view what) {
    pg::Result r = target.exec_params("SELECT x FROM tidemark.conflicts c, " + std::string(expression) +
                                          " WITH ORDINALITY AS u(x, n) WHERE c.id = $1 ORDER BY n",
                                      pg::TextParams{id_text(id)},
                                      "while reading the " + std::string(what) + " of conflict " + id_text(id));
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.value(i, 0));
    return out;
}

// nullopt when the table no longer exists.
std::optional<TargetTable> find_table(pg::Connection& target, const std::string& name) {
    pg::Result r = target.exec_params(
        "SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)",
        pg::TextParams{name}, "while looking up target table " + name);
    if (r.rows() == 0) return std::nullopt;
    TargetTable t;
    t.oid = r.value(0, 0);
    t.quoted = pg::quote_qualified(r.value(0, 1), r.value(0, 2));
    pg::Result cols = target.exec_params(
        "SELECT attname, attgenerated = '' AND attidentity <> 'a', attgenerated = '' "
        "FROM pg_catalog.pg_attribute WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped "
        "ORDER BY attnum",
        pg::TextParams{t.oid}, "while reading the columns of target table " + name);
    for (int i = 0; i < cols.rows(); ++i)
        t.columns.push_back({std::string(cols.value(i, 0)), cols.value(i, 1) == "t", cols.value(i, 2) == "t"});
    return t;
}

void require_columns(const TargetTable& table, const std::vector<std::string>& names, std::int64_t id,
                     std::string_view what) {
    for (const auto& n : names)
        if (!table.find(n))
            throw ReviewError("conflict " + id_text(id) + " names " + std::string(what) + " " +
                              pg::quote_identifier(n) + ", which target table " + table.quoted +
                              " no longer has; --keep source cannot write it (settle it with --keep target, or "
                              "restore the column)");
}

bool contains(const std::vector<std::string>& list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
}

// Writes the parked source values and returns what happened to the row.
std::string write_source_values(pg::Connection& target, std::int64_t id, const ParkedConflict& c) {
    auto table = find_table(target, c.target_table);
    if (!table)
        throw ReviewError("target table " + c.target_table + " of conflict " + id_text(id) +
                          " no longer exists; --keep source has nowhere to write (settle it with --keep target)");
    RowStatements sql{table->quoted, column_values(target, id, "jsonb_object_keys(c.record_key)", "record key")};
    require_columns(*table, sql.key_columns, id, "key column");
    const std::string where = "conflict " + id_text(id) + " on " + table->quoted;

    if (c.kind.starts_with("delete_")) {
        pg::Result r =
            target.exec_params(sql.delete_row(), pg::TextParams{c.record_key}, "while deleting the row of " + where);
        return r.affected_rows() > 0 ? "deleted" : "already absent";
    }
    if (!c.source_values)
        throw ReviewError("conflict " + id_text(id) +
                          " holds no source values, so --keep source has nothing to write; settle it with "
                          "--keep target");
    std::vector<std::string> parked = column_values(
        target, id, "jsonb_object_keys(CASE jsonb_typeof(c.source_values) WHEN 'object' THEN c.source_values END)",
        "source values");
    require_columns(*table, parked, id, "column");
    std::vector<std::string> chosen = c.whole_row ? parked : column_values(target, id, "unnest(c.columns)", "columns");
    require_columns(*table, chosen, id, "column");

    // Only what the source carried: a column the change did not hold
    // (an unchanged TOAST value) keeps the target's value.
    std::vector<std::string> set;
    for (const auto& name : chosen)
        if (contains(parked, name) && !contains(sql.key_columns, name) && table->find(name)->writable)
            set.push_back(name);
    if (!set.empty()) {
        pg::Result r = target.exec_params(sql.update(set), pg::TextParams{*c.source_values, c.record_key},
                                          "while writing the source values of " + where);
        if (r.affected_rows() > 0) return "updated";
    } else {
        pg::Result r =
            target.exec_params(sql.select_row(), pg::TextParams{c.record_key}, "while reading the row of " + where);
        if (r.rows() > 0) return "left as it is";
    }
    // The row is missing: the parked values make it again.
    std::vector<std::string> insert;
    for (const auto& col : table->columns)
        if (col.insertable && (contains(parked, col.name) || contains(sql.key_columns, col.name)))
            insert.push_back(col.name);
    target.exec_params(sql.insert(insert), pg::TextParams{*c.source_values, c.record_key},
                       "while inserting the source values of " + where);
    return "inserted";
}

// The row as it stands, limited to the conflict's columns; nullopt when
// the row (or its table) is gone.
std::optional<std::string> current_values(pg::Connection& target, std::int64_t id, const ParkedConflict& c) {
    auto table = find_table(target, c.target_table);
    if (!table) return std::nullopt;
    RowStatements sql{table->quoted, column_values(target, id, "jsonb_object_keys(c.record_key)", "record key")};
    for (const auto& k : sql.key_columns)
        if (!table->find(k)) return std::nullopt;
    pg::Result r = target.exec_params(
        "SELECT CASE WHEN c.columns IS NULL THEN r.j "
        "            ELSE (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(r.j) e "
        "                  WHERE e.key = ANY (c.columns)) END::text "
        "FROM tidemark.conflicts c, (" +
            sql.select_row() + ") AS r(j) WHERE c.id = $2",
        pg::TextParams{c.record_key, id_text(id)}, "while reading the resolved values of conflict " + id_text(id));
    if (r.rows() == 0) return std::nullopt;
    if (auto v = r.optional_value(0, 0)) return std::string(*v);
    return std::nullopt;
}

}  // namespace

std::string_view to_string(Keep keep) noexcept { return keep == Keep::source ? "source" : "target"; }

Settlement settle_conflict(pg::Connection& target, std::int64_t id, Keep keep, std::string_view os_user) {
    Settlement s;
    s.id = id;
    target.exec("SET TimeZone = 'UTC'", "while setting the review session's time zone");
    pg::in_transaction(target, "while settling conflict " + id_text(id), [&] {
        ParkedConflict c = lock_conflict(target, id);
        if (c.status != "pending")
            throw ReviewError("conflict " + id_text(id) + " is already resolved (" + c.resolution + ", at " +
                              c.resolved_at + (c.resolved_by.empty() ? std::string() : " by " + c.resolved_by) +
                              "); nothing was changed");
        s.kind = c.kind;
        s.target_table = c.target_table;
        s.record_key = c.record_key;
        // The apply path's words: "source" when the source's values stand,
        // "target" when the target's do; the action says a person chose.
        s.resolution = keep == Keep::source ? "source" : "target";
        s.row_outcome = keep == Keep::source ? write_source_values(target, id, c) : "left as it is";
        s.resolved_values = current_values(target, id, c);
        s.resolved_by = resolver_label(c.database_role, os_user);
        target.exec_params(
            "UPDATE tidemark.conflicts SET status = 'resolved', resolution = $2, resolved_values = $3::jsonb, "
            "resolved_at = now(), resolved_by = $4 WHERE id = $1",
            pg::TextParams{id_text(id), s.resolution, s.resolved_values, s.resolved_by},
            "while marking conflict " + id_text(id) + " resolved");
        target.exec_params(
            "INSERT INTO tidemark.conflict_resolutions (conflict_id, action, resolved_values, resolved_by) "
            "VALUES ($1, $2, $3::jsonb, $4)",
            pg::TextParams{id_text(id), keep == Keep::source ? "keep_source" : "keep_target", s.resolved_values,
                           s.resolved_by},
            "while recording the resolution of conflict " + id_text(id));
    });
    return s;
}

}  // namespace tidemark::conflict_review
