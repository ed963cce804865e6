// The statements on tidemark.tombstones: record the deletes of a batch
// (key, source, commit time; a newer tombstone of the key is kept), drop
// the tombstones of keys genuinely re-inserted, and purge the ones older
// than tombstone_retention.
// Must not: run anything.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "apply/change.hpp"
#include "apply/statement.hpp"

namespace tidemark::conflict {

struct Tombstone {
    const wire::Tuple* tuple = nullptr;  // holds the key
    std::int64_t commit_time = 0;
};

apply::Statement tombstone_upsert(const std::string& source_name, const apply::RelationInfo& rel,
                                  const std::vector<Tombstone>& rows);
apply::Statement tombstone_clear(const apply::RelationInfo& rel, const std::vector<const wire::Tuple*>& rows);
apply::Statement tombstone_purge(std::chrono::milliseconds retention);

// The newest commit time this source has applied, kept per source.
apply::Statement source_watermark_upsert(const std::string& source_name, std::int64_t commit_time);

}  // namespace tidemark::conflict
