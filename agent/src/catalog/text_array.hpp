// A text[] literal for query parameters ('{"a","b"}'), so that lists of
// names travel as one parameter instead of being spliced into SQL.
// Must not: be used to build SQL text (it is a parameter value).
#pragma once

#include <string>
#include <vector>

namespace tidemark::catalog {

// Every element double-quoted with '"' and '\' escaped, so any text
// (quotes, commas, braces, NULL spelled out) round-trips.
std::string text_array_literal(const std::vector<std::string>& items);

}  // namespace tidemark::catalog
