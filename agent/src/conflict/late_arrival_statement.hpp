// The set-wise INSERT into tidemark.late_arrivals for the late or
// suspicious changes of one relation in a batch (record key made in SQL,
// expected and actual time, their delay, whether the change was applied).
// Must not: run anything.
#pragma once

#include <string>
#include <vector>

#include "apply/change.hpp"
#include "apply/statement.hpp"
#include "conflict/classifier.hpp"
#include "conflict/policy.hpp"

namespace tidemark::conflict {

struct LoggedLate {
    const wire::Tuple* tuple = nullptr;
    const apply::Change* change = nullptr;
    std::string operation;  // insert, update, delete
    const LateRecord* record = nullptr;
};

apply::Statement late_arrival_statement(const std::string& pipeline, const Policy& policy,
                                        const apply::RelationInfo& rel, const std::vector<LoggedLate>& rows);

}  // namespace tidemark::conflict
