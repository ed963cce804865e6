// Change: one row change (or TRUNCATE) the applier holds until its batch
// is written.  Tuple values are views into the payload the change came
// from; the batch keeps that payload alive (see Payload).
// Must not: copy value bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "apply/relation_info.hpp"
#include "wire/message.hpp"

namespace tidemark::apply {

enum class ChangeKind : std::uint8_t { insert, update, remove, truncate };

std::string_view to_string(ChangeKind kind) noexcept;

// The source transaction a change belongs to (from its BEGIN).
struct SourceTxn {
    std::uint64_t final_lsn = 0;  // the commit record's LSN
    std::int64_t commit_time = 0;
    std::uint64_t xid = 0;
};

struct Change {
    ChangeKind kind = ChangeKind::insert;
    std::shared_ptr<const RelationInfo> relation;  // null for truncate
    wire::OldKind old_kind = wire::OldKind::none;
    wire::Tuple old_tuple;
    wire::Tuple new_tuple;
    SourceTxn txn;
    // TRUNCATE only: every relation it names that the gate let through.
    std::vector<std::shared_ptr<const RelationInfo>> truncated;
    bool cascade = false;
    bool restart_identity = false;
};

}  // namespace tidemark::apply
