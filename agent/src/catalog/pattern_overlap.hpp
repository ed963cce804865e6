// Whether two include/exclude filters can select the same table: exactly,
// for every table name that could ever exist, not only the tables there
// are today, so two pipelines that would both apply a table created later
// are refused before they run.  The patterns are globs ('*' matches any
// run of characters within the schema or the table name), so the question
// is whether a regular language is empty; it is answered by walking the
// product of the patterns' automata.
// Must not: look at a database.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tidemark::catalog {

struct FilterPatterns {
    std::vector<std::string> include;  // empty: every table
    std::vector<std::string> exclude;
};

struct SharedTable {
    std::string example;    // a table name both select, schema.table
    std::string pattern_a;  // the include pattern of `a` that selects it ("*.*" for none)
    std::string pattern_b;
};

// A table name that both filters select, if there can be one.  Throws
// std::invalid_argument for a bad pattern.
std::optional<SharedTable> shared_table(const FilterPatterns& a, const FilterPatterns& b);

}  // namespace tidemark::catalog
