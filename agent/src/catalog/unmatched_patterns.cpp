// See unmatched_patterns.hpp.
#include "catalog/unmatched_patterns.hpp"

#include "catalog/table_pattern.hpp"
#include "pg/quoting.hpp"

namespace tidemark::catalog {
namespace {

constexpr std::size_t kAlikeShown = 3;

}  // namespace

std::vector<UnmatchedPattern> unmatched_patterns(const std::vector<std::string>& include,
                                                 const std::vector<TableName>& tables) {
    std::vector<UnmatchedPattern> out;
    for (const auto& item : include) {
        UnmatchedPattern unmatched{item, {}};
        bool matched = false;
        for (const auto& pattern : TablePattern::parse_list(item)) {
            for (const auto& t : tables) {
                if (pattern.matches(t.schema, t.name)) {
                    matched = true;
                    break;
                }
                // Unquoted letters were folded to lower case: a table whose
                // folded name matches is what the pattern meant to name.
                if (unmatched.alike.size() < kAlikeShown &&
                    pattern.matches(fold_identifier(t.schema), fold_identifier(t.name)))
                    unmatched.alike.push_back(pg::quote_qualified(t.schema, t.name));
            }
            if (matched) break;
        }
        if (!matched) out.push_back(std::move(unmatched));
    }
    return out;
}

std::string describe(const std::vector<UnmatchedPattern>& unmatched) {
    std::string out = "include patterns that select no table: ";
    for (std::size_t k = 0; k < unmatched.size(); ++k) {
        const auto& u = unmatched[k];
        out += (k ? "; \"" : "\"") + u.pattern + "\"";
        if (u.alike.empty()) continue;
        out += " (did you mean ";
        for (std::size_t i = 0; i < u.alike.size(); ++i) out += (i ? " or " : "") + u.alike[i];
        out += "? names with capitals need double quotes in the pattern)";
    }
    return out + " (a table created later that matches is streamed)";
}

}  // namespace tidemark::catalog
