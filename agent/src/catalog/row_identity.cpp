// See row_identity.hpp.
#include "catalog/row_identity.hpp"

#include "pg/quoting.hpp"

namespace tidemark::catalog {
namespace {

// The same candidates as table_discovery's, partitions included.
constexpr std::string_view kUnidentifiedSql = R"SQL(
SELECT rn.nspname, r.relname, n.nspname, c.relname, c.relreplident,
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_class r
    ON r.oid = CASE WHEN c.relispartition THEN pg_catalog.pg_partition_root(c.oid) ELSE c.oid END
  JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
 WHERE c.relkind = 'r'
   AND c.relpersistence = 'p'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'tidemark')
   AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                      AND d.objid = r.oid AND d.deptype = 'e')
   AND CASE c.relreplident
         WHEN 'f' THEN false
         WHEN 'n' THEN true
         WHEN 'i' THEN NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                                    WHERE i.indrelid = c.oid AND i.indisreplident)
         ELSE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
       END
 ORDER BY 1, 2, 3, 4
)SQL";

}  // namespace

std::vector<UnidentifiedTable> tables_without_row_identity(pg::Connection& source, const TableFilter& filter) {
    pg::Result r = source.exec(kUnidentifiedSql, "while reading the replica identities of the source's tables");
    std::vector<UnidentifiedTable> out;
    for (int row = 0; row < r.rows(); ++row) {
        if (!filter.selects(r.value(row, 0), r.value(row, 1))) continue;
        UnidentifiedTable t;
        t.table = pg::quote_qualified(r.value(row, 0), r.value(row, 1));
        std::string logged = pg::quote_qualified(r.value(row, 2), r.value(row, 3));
        if (logged != t.table) t.partition = logged;
        bool has_primary_key = r.value(row, 5) == "t";
        if (r.value(row, 4) != "d" && has_primary_key)
            t.fix = "ALTER TABLE " + logged + " REPLICA IDENTITY DEFAULT";
        else
            t.fix = "add a primary key, or ALTER TABLE " + logged + " REPLICA IDENTITY FULL";
        out.push_back(std::move(t));
    }
    return out;
}

}  // namespace tidemark::catalog
