// The set-wise INSERT into tidemark.conflicts for the conflicts of one
// relation in a batch: record key and source values made in SQL from the
// change's values (array parameters, as the apply statements send them),
// the target's values as the probe saw them, and the resolved values read
// from the target row after this batch's writes (the statement runs after
// them in the same transaction).
// Must not: run anything.
#pragma once

#include <string>
#include <vector>

#include "apply/change.hpp"
#include "apply/statement.hpp"
#include "conflict/classifier.hpp"
#include "conflict/policy.hpp"
#include "conflict/probe_statement.hpp"

namespace tidemark::conflict {

struct LoggedConflict {
    const wire::Tuple* tuple = nullptr;     // the change's row (conflated)
    const apply::Change* change = nullptr;  // the last change of the key
    const ConflictRecord* record = nullptr;
    const TargetRow* target = nullptr;
};

apply::Statement conflict_log_statement(const std::string& pipeline, const Policy& policy,
                                        const apply::RelationInfo& rel, const std::vector<LoggedConflict>& rows);

// JSON array text of column names.
std::string column_names_json(const apply::RelationInfo& rel, const std::vector<std::size_t>& columns);

}  // namespace tidemark::conflict
