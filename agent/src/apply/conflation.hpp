// TableConflation: the changes to one table in a batch, reduced to the
// last state of each row.  Correct because the batch commits atomically:
// only the final state of a key is visible afterwards.  Keyed tables keep
// one entry per key (upsert, delete, or an update that left TOAST values
// out); tables without a key keep their inserts in order.
// Must not: absorb a change whose effect depends on its place among the
// other changes (a key change, an update of a row without a key, a value
// that cannot travel in an array): absorb() refuses those, and the caller
// writes this table's entries, then that change on its own.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "apply/change.hpp"
#include "apply/relation_info.hpp"

namespace tidemark::apply {

enum class EntryOp : std::uint8_t {
    upsert,          // the full new row
    remove,          // delete by key (tuple: the old tuple)
    partial_update,  // update of the columns not marked unchanged_toast
};

// Points at a tuple of a Change the caller keeps in place until the
// statements are sent; a tuple merged from two updates is owned.
struct ConflatedEntry {
    EntryOp op = EntryOp::upsert;
    const wire::Tuple* source = nullptr;
    std::optional<wire::Tuple> merged;
    // The first and the last change of the key in the batch: the first
    // says what the source expected of the target's row (absent for an
    // insert, present otherwise), the last when and by whom it was made.
    const Change* first = nullptr;
    const Change* last = nullptr;

    const wire::Tuple& tuple() const noexcept { return merged ? *merged : *source; }
};

// The key bytes of a tuple (kind, length and bytes of each key column),
// or nullopt when a key column is NULL or an unchanged TOAST value.
std::optional<std::string> key_bytes(const RelationInfo& relation, const wire::Tuple& tuple);

class TableConflation {
public:
    explicit TableConflation(std::shared_ptr<const RelationInfo> relation);

    // Takes the change in and returns true, or returns false.  The change
    // must stay where it is (its tuples are referred to) until the
    // statements made from this conflation have been sent.
    bool absorb(const Change& change);

    bool empty() const noexcept { return entries_.empty() && inserts_.empty(); }
    const RelationInfo& relation() const noexcept { return *relation_; }
    const std::shared_ptr<const RelationInfo>& relation_ptr() const noexcept { return relation_; }
    // Keyed tables: one entry per key, in first-seen order.
    const std::vector<ConflatedEntry>& entries() const noexcept { return entries_; }
    // Tables without a key: the inserted rows, in order.
    const std::vector<const wire::Tuple*>& inserts() const noexcept { return inserts_; }

private:
    bool fits_arrays(const wire::Tuple& tuple) const;
    bool absorb_update(const Change& change);

    std::shared_ptr<const RelationInfo> relation_;
    std::vector<ConflatedEntry> entries_;
    std::unordered_map<std::string, std::size_t> index_;
    std::vector<const wire::Tuple*> inserts_;
    // Per column: the kind its non-NULL values came in (text or binary),
    // so that each column becomes one array of one element type.
    std::vector<std::optional<wire::ValueKind>> kinds_;
};

}  // namespace tidemark::apply
