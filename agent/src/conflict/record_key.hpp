// The record key of a row as tidemark's state keeps it (tombstones,
// conflicts, late arrivals): jsonb_build_object('<key column>', value,
// ...) built in SQL from the key columns' array expressions, so every
// statement spells the same key the same way.
// Must not: build the key in the agent (values are never converted here).
#pragma once

#include <string>
#include <vector>

#include "apply/relation_info.hpp"
#include "apply/statement.hpp"

namespace tidemark::conflict {

// `key_exprs` are the expressions of the relation's key columns, in key
// order; the column names travel as parameters of `s`.
std::string record_key_sql(apply::Statement& s, const apply::RelationInfo& rel,
                           const std::vector<std::string>& key_exprs);

// A text[] parameter holding `values` (NULL elements for nullopt).
std::string text_array_param(apply::Statement& s, const std::vector<std::optional<std::string>>& values);

}  // namespace tidemark::conflict
