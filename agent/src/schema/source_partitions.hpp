// SourcePartitions: what the source says of a relation the stream names
// that may be a partition.  Under publish_via_root the stream reports
// every change of a partition as its root's, but one: a TRUNCATE of a
// partition alone comes under the partition's own name (reporting it as
// the root would empty the other partitions too).  The target holds a
// partitioned table's rows in one table, its root's, so that truncate is
// applied as a DELETE of the rows within the partition's bounds.
// Must not: give bounds the target cannot evaluate: a hash partition's
// constraint names the source's own partitioned table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "schema/source_catalog.hpp"

namespace tidemark::schema {

struct PartitionOfRoot {
    std::uint32_t root_relid = 0;
    std::string root_schema;
    std::string root_name;
    // A predicate over the root's columns, names qualified (the partition
    // constraint, its ancestors' included, read with the catalog's empty
    // search_path); nullopt under hash partitioning.
    std::optional<std::string> bounds;
};

// nullopt when `relid` is not a partition (or no longer exists).
std::optional<PartitionOfRoot> partition_of_root(SourceCatalog& source, std::uint32_t relid);

}  // namespace tidemark::schema
