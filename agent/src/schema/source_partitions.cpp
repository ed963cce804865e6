// See source_partitions.hpp.
#include "schema/source_partitions.hpp"

#include <charconv>

namespace tidemark::schema {
namespace {

constexpr std::string_view kPartitionSql = R"SQL(
SELECT r.oid, rn.nspname, r.relname,
       CASE WHEN NOT EXISTS (SELECT 1 FROM pg_catalog.pg_partition_ancestors(c.oid) a
                               JOIN pg_catalog.pg_partitioned_table p ON p.partrelid = a.relid
                              WHERE p.partstrat = 'h')
            THEN pg_catalog.pg_get_partition_constraintdef(c.oid) END
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_class r ON r.oid = pg_catalog.pg_partition_root(c.oid)
  JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
 WHERE c.oid = $1::pg_catalog.oid AND c.relispartition
)SQL";

}  // namespace

std::optional<PartitionOfRoot> partition_of_root(SourceCatalog& source, std::uint32_t relid) {
    pg::Result r = source.connection().exec_params(kPartitionSql, {std::to_string(relid)},
                                                   "while reading a partition's bounds on the source");
    if (r.rows() == 0) return std::nullopt;
    PartitionOfRoot p;
    std::string_view oid = r.value(0, 0);
    std::from_chars(oid.data(), oid.data() + oid.size(), p.root_relid);
    p.root_schema = std::string(r.value(0, 1));
    p.root_name = std::string(r.value(0, 2));
    if (auto bounds = r.optional_value(0, 3)) p.bounds = std::string(*bounds);
    return p;
}

}  // namespace tidemark::schema
