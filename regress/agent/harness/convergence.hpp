// Row-by-row comparison of a table on two clusters: the check every
// convergence test ends with.  Must not: tolerate a difference.
#pragma once

#include <string>
#include <vector>

#include "test_cluster.hpp"

namespace tidemark::testing {

struct TableDifference {
    std::string table;
    std::string detail;  // counts and the first differing rows
};

// Compares every row and every column of `table` (schema-qualified) in the
// two databases; returns nullopt-like empty vector when identical.
std::vector<TableDifference> compare_tables(const TestCluster& source, std::string_view source_db,
                                            const TestCluster& target, std::string_view target_db,
                                            const std::vector<std::string>& tables);

// Every user table of the source database (schema.table, quoted), excluding
// tidemark's own schema.
std::vector<std::string> user_tables(const TestCluster& cluster, std::string_view db);

}  // namespace tidemark::testing
