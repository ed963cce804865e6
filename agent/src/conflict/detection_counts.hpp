// DetectionCounts: how many conflicts (by kind, then strategy) and late
// or suspicious changes (by reason: late, tombstone, future,
// invalid_version) a batch or a target transaction met.  Kept apart until
// the transaction commits, then added to apply::ApplyCounters.
// Must not: count anything that was rolled back.
#pragma once

#include <map>
#include <string>

namespace tidemark::conflict {

struct DetectionCounts {
    std::map<std::string, std::map<std::string, long long>> conflicts;
    std::map<std::string, long long> late;

    bool empty() const noexcept { return conflicts.empty() && late.empty(); }
    void merge(const DetectionCounts& other) {
        for (const auto& [kind, by] : other.conflicts)
            for (const auto& [strategy, n] : by) conflicts[kind][strategy] += n;
        for (const auto& [reason, n] : other.late) late[reason] += n;
    }
    void clear() noexcept {
        conflicts.clear();
        late.clear();
    }
};

}  // namespace tidemark::conflict
