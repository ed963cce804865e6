// See row_identity.hpp.
#include "catalog/row_identity.hpp"

#include "catalog/table_discovery.hpp"
#include "pg/quoting.hpp"

namespace tidemark::catalog {
namespace {

// Each candidate table (table_discovery's), or each of its partitions.
constexpr std::string_view kTablesSql = R"SQL(
SELECT n.nspname, c.relname, ln.nspname, l.relname,
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = l.oid AND i.indisprimary)
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL (SELECT c.oid AS relid WHERE c.relkind = 'r'
                     UNION ALL
                     SELECT p.relid FROM pg_catalog.pg_partition_tree(c.oid) p WHERE c.relkind = 'p' AND p.isleaf) t
  JOIN pg_catalog.pg_class l ON l.oid = t.relid AND l.relkind = 'r'
  JOIN pg_catalog.pg_namespace ln ON ln.oid = l.relnamespace
)SQL";

// Whether the WAL of `l`'s updates and deletes identifies the row.
constexpr std::string_view kIdentifiedSql = R"SQL(
   AND NOT CASE l.relreplident
             WHEN 'f' THEN true
             WHEN 'n' THEN false
             WHEN 'i' THEN EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                                    WHERE i.indrelid = l.oid AND i.indisreplident)
             ELSE EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = l.oid AND i.indisprimary)
           END
 ORDER BY 1, 2, 3, 4
)SQL";

}  // namespace

std::vector<UnidentifiedTable> tables_without_row_identity(pg::Connection& source, const TableFilter& filter) {
    pg::Result r =
        source.exec(std::string(kTablesSql) + std::string(kCandidateTablesWhere) + std::string(kIdentifiedSql),
                    "while reading the replica identities of the source's tables");
    std::vector<UnidentifiedTable> out;
    for (int row = 0; row < r.rows(); ++row) {
        if (!filter.selects(r.value(row, 0), r.value(row, 1))) continue;
        UnidentifiedTable t;
        t.table = pg::quote_qualified(r.value(row, 0), r.value(row, 1));
        std::string logged = pg::quote_qualified(r.value(row, 2), r.value(row, 3));
        if (logged != t.table) t.partition = logged;
        t.fix = replica_identity_fix(logged, r.value(row, 4) == "t");
        out.push_back(std::move(t));
    }
    return out;
}

std::string replica_identity_fix(const std::string& table, bool has_primary_key) {
    if (has_primary_key) return "ALTER TABLE " + table + " REPLICA IDENTITY DEFAULT";
    return "add a primary key, or ALTER TABLE " + table + " REPLICA IDENTITY FULL";
}

}  // namespace tidemark::catalog
