// See table_discovery.hpp.  All reads are plain catalog queries in the
// caller's transaction, so they see the catalogs as of the snapshot; a
// table created or altered after the slot's consistent point is invisible
// here exactly as its rows are.
#include "catalog/table_discovery.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <unordered_map>

#include "log/event.hpp"

namespace tidemark::catalog {
namespace {

constexpr std::string_view kTablesSql = R"SQL(
SELECT c.oid, n.nspname, c.relname, c.relkind,
       CASE WHEN c.relkind = 'p' THEN leaves.tuples ELSE c.reltuples::float8 END,
       CASE WHEN c.relkind = 'p' THEN leaves.stats_pages ELSE c.relpages::int8 END,
       CASE WHEN c.relkind = 'p' THEN leaves.max_pages
            ELSE pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::int8 END
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN LATERAL (
        SELECT CASE WHEN bool_or(l.reltuples < 0) THEN -1
                    ELSE coalesce(sum(l.reltuples), 0) END::float8 AS tuples,
               coalesce(sum(l.relpages), 0)::int8 AS stats_pages,
               coalesce(max(pg_catalog.pg_relation_size(l.oid)
                            / pg_catalog.current_setting('block_size')::int8), 0)::int8 AS max_pages
          FROM pg_catalog.pg_partition_tree(c.oid) t
          JOIN pg_catalog.pg_class l ON l.oid = t.relid
         WHERE t.isleaf AND l.relkind = 'r') leaves ON c.relkind = 'p'
)SQL";

const std::string kCandidatesSql = std::string(kCandidateTablesWhere) + " ORDER BY n.nspname, c.relname";

constexpr std::string_view kNamesSql = R"SQL(
SELECT n.nspname, c.relname
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
)SQL";

// A default or a CHECK that calls a function of the user's could not be
// created on a target that lacks the function, so only those built from
// built-in functions are carried over.
constexpr std::string_view kColumnsSql = R"SQL(
SELECT a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.atttypid, a.atttypmod,
       a.attnotnull, a.attgenerated, a.attidentity, pg_catalog.pg_get_expr(d.adbin, d.adrelid),
       NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dp
                    WHERE dp.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND dp.objid = d.oid
                      AND dp.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                      AND dp.refobjid >= 16384),
       CASE WHEN a.attcollation <> t.typcollation AND co.oid IS NOT NULL
            THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
  LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
 WHERE a.attrelid = ANY ($1::pg_catalog.oid[]) AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum
)SQL";

constexpr std::string_view kPrimaryKeysSql = R"SQL(
SELECT con.conrelid, con.conname, a.attname
  FROM pg_catalog.pg_constraint con
 CROSS JOIN LATERAL pg_catalog.unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
 WHERE con.contype = 'p' AND con.conrelid = ANY ($1::pg_catalog.oid[])
 ORDER BY con.conrelid, k.ord
)SQL";

constexpr std::string_view kChecksSql = R"SQL(
SELECT con.conrelid, con.conname, pg_catalog.pg_get_constraintdef(con.oid),
       NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dp
                    WHERE dp.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND dp.objid = con.oid
                      AND dp.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                      AND dp.refobjid >= 16384)
  FROM pg_catalog.pg_constraint con
 WHERE con.contype = 'c' AND con.conrelid = ANY ($1::pg_catalog.oid[])
 ORDER BY con.conrelid, con.conname
)SQL";

// Foreign keys point conindid at the referenced table's index, hence the
// conrelid condition.
constexpr std::string_view kIndexesSql = R"SQL(
SELECT i.indrelid, ic.relname, pg_catalog.pg_get_indexdef(i.indexrelid), con.conname,
       pg_catalog.pg_get_constraintdef(con.oid)
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  LEFT JOIN pg_catalog.pg_constraint con
         ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('u', 'x')
 WHERE i.indrelid = ANY ($1::pg_catalog.oid[]) AND NOT i.indisprimary AND i.indisvalid AND i.indislive
 ORDER BY i.indrelid, ic.relname
)SQL";

template <typename T>
T parse_number(std::string_view text, std::string_view what) {
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        throw std::runtime_error("unexpected " + std::string(what) + " \"" + std::string(text) +
                                 "\" in the source's catalogs");
    return value;
}

double parse_double(std::string_view text) {
    // from_chars for double is not in every libstdc++ this builds with.
    try {
        return std::stod(std::string(text));
    } catch (const std::exception&) {
        throw std::runtime_error("unexpected reltuples \"" + std::string(text) + "\" in the source's catalogs");
    }
}

std::string oid_array(const std::vector<SourceTable>& tables) {
    std::string out = "{";
    for (std::size_t i = 0; i < tables.size(); ++i) {
        if (i) out += ',';
        out += std::to_string(tables[i].oid);
    }
    return out + "}";
}

// The tables of `r` (kTablesSql's rows) that `filter` selects, with their
// columns, keys, checks and indexes.
std::vector<SourceTable> read_tables(pg::Connection& source, const pg::Result& r, const TableFilter& filter) {
    std::vector<SourceTable> tables;
    for (int row = 0; row < r.rows(); ++row) {
        std::string_view schema = r.value(row, 1);
        std::string_view name = r.value(row, 2);
        if (!filter.selects(schema, name)) continue;
        SourceTable t;
        t.oid = parse_number<std::uint32_t>(r.value(row, 0), "oid");
        t.schema = std::string(schema);
        t.name = std::string(name);
        t.kind = r.value(row, 3) == "p" ? TableKind::partitioned : TableKind::ordinary;
        t.estimated_rows = parse_double(r.value(row, 4));
        t.stats_pages = parse_number<std::int64_t>(r.value(row, 5), "relpages");
        t.pages = parse_number<std::int64_t>(r.value(row, 6), "relation size");
        tables.push_back(std::move(t));
    }
    if (tables.empty()) return tables;

    std::unordered_map<std::uint32_t, SourceTable*> by_oid;
    for (auto& t : tables) by_oid.emplace(t.oid, &t);
    auto table_of = [&](const pg::Result& res, int row) -> SourceTable& {
        auto it = by_oid.find(parse_number<std::uint32_t>(res.value(row, 0), "oid"));
        if (it == by_oid.end())
            throw std::runtime_error("the source's catalogs returned a table that was not asked for");
        return *it->second;
    };
    pg::TextParams oids{oid_array(tables)};

    pg::Result cols = source.exec_params(kColumnsSql, oids, "while reading the columns of the source's tables");
    for (int row = 0; row < cols.rows(); ++row) {
        SourceTable& t = table_of(cols, row);
        SourceColumn c;
        c.name = std::string(cols.value(row, 1));
        c.type = std::string(cols.value(row, 2));
        c.type_oid = parse_number<std::uint32_t>(cols.value(row, 3), "type oid");
        c.typmod = parse_number<std::int32_t>(cols.value(row, 4), "typmod");
        c.not_null = cols.value(row, 5) == "t";
        std::string_view generated = cols.value(row, 6);
        std::string_view identity = cols.value(row, 7);
        auto expr = cols.optional_value(row, 8);
        bool builtin_default = cols.value(row, 9) == "t";
        if (generated == "s" && expr) {
            c.generated = std::string(*expr);
        } else if (expr) {
            if (builtin_default)
                c.default_expr = std::string(*expr);
            else
                log::warn("column default not carried to the target: it calls a function of the source's",
                          {{"table", t.qualified()}, {"column", c.name}, {"default", std::string(*expr)}});
        }
        if (identity == "a") c.identity = Identity::always;
        if (identity == "d") c.identity = Identity::by_default;
        if (auto coll = cols.optional_value(row, 10)) c.collation = std::string(*coll);
        t.columns.push_back(std::move(c));
    }

    pg::Result pks = source.exec_params(kPrimaryKeysSql, oids, "while reading the source's primary keys");
    for (int row = 0; row < pks.rows(); ++row) {
        SourceTable& t = table_of(pks, row);
        t.primary_key_name = std::string(pks.value(row, 1));
        t.primary_key.emplace_back(pks.value(row, 2));
    }

    pg::Result checks = source.exec_params(kChecksSql, oids, "while reading the source's check constraints");
    for (int row = 0; row < checks.rows(); ++row) {
        SourceTable& t = table_of(checks, row);
        if (checks.value(row, 3) != "t") {
            log::warn("check constraint not carried to the target: it calls a function of the source's",
                      {{"table", t.qualified()}, {"constraint", std::string(checks.value(row, 1))}});
            continue;
        }
        t.checks.push_back(CheckConstraint{std::string(checks.value(row, 1)), std::string(checks.value(row, 2))});
    }

    pg::Result idx = source.exec_params(kIndexesSql, oids, "while reading the source's indexes");
    for (int row = 0; row < idx.rows(); ++row) {
        SourceTable& t = table_of(idx, row);
        SecondaryIndex i;
        i.name = std::string(idx.value(row, 1));
        i.index_definition = std::string(idx.value(row, 2));
        if (auto con = idx.optional_value(row, 3)) {
            i.constraint_name = std::string(*con);
            i.constraint_definition = std::string(idx.value(row, 4));
        }
        t.indexes.push_back(std::move(i));
    }
    return tables;
}

}  // namespace

std::vector<SourceTable> list_tables(pg::Connection& source, const TableFilter& filter) {
    source.exec("SET LOCAL search_path = ''", "while preparing to read the source's catalogs");
    return read_tables(
        source, source.exec(std::string(kTablesSql) + kCandidatesSql, "while listing the source's tables"), filter);
}

std::optional<SourceTable> find_table(pg::Connection& source, std::uint32_t relid) {
    auto tables = read_tables(source,
                              source.exec_params(std::string(kTablesSql) + std::string(kCandidateTablesWhere) +
                                                     " AND c.oid = $1::pg_catalog.oid",
                                                 pg::TextParams{std::to_string(relid)}, "while reading a source table"),
                              TableFilter());
    if (tables.empty()) return std::nullopt;
    return std::move(tables.front());
}

std::vector<SourceTable> list_tables(pg::Connection& source, const std::vector<std::string>& include,
                                     const std::vector<std::string>& exclude) {
    return list_tables(source, TableFilter(include, exclude));
}

std::vector<TableName> list_table_names(pg::Connection& source) {
    pg::Result r = source.exec(std::string(kNamesSql) + kCandidatesSql, "while listing the source's tables");
    std::vector<TableName> names;
    for (int row = 0; row < r.rows(); ++row)
        names.push_back({std::string(r.value(row, 0)), std::string(r.value(row, 1))});
    return names;
}

}  // namespace tidemark::catalog
