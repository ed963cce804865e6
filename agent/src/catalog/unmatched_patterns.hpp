// The [source] include patterns that select no table of the source: most
// often a typo, or a name with capitals written without the double quotes
// that keep them (public.Orders means public.orders).  A pattern may
// rightly wait for a table created later, so this only informs: callers
// warn.
// Must not: read the database (callers pass the names).
#pragma once

#include <string>
#include <vector>

#include "catalog/table_discovery.hpp"

namespace tidemark::catalog {

struct UnmatchedPattern {
    std::string pattern;  // as written in the config
    // Tables it would select if its unquoted letters kept their case:
    // "schema"."name", at most a few.
    std::vector<std::string> alike;
};

// Throws std::invalid_argument for a bad pattern.
std::vector<UnmatchedPattern> unmatched_patterns(const std::vector<std::string>& include,
                                                 const std::vector<TableName>& tables);

// The warning: the patterns, and what they may have meant.
std::string describe(const std::vector<UnmatchedPattern>& unmatched);

}  // namespace tidemark::catalog
