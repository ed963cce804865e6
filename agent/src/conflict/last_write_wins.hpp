// last_write_wins: which of two writes of one row wins, the same way
// whichever arrives first: the newer one (by version, else commit time);
// on a tie the better-ranked writer ([conflicts] source_priority, a local
// user last), then the smaller origin name.  A total order on writes, so
// applying any permutation of them ends with the same row.
// Must not: read clocks or rows (the caller compares the versions).
#pragma once

#include <optional>
#include <string_view>

namespace tidemark::conflict {

enum class Winner { source, target };

struct Writer {
    int rank = 0;             // Policy::rank of its origin
    std::string_view origin;  // its origin name, "" for a local user
};

// `target_vs_source`: above 0 when the target's write is newer, below 0
// when the change is, 0 on a tie; nullopt (nothing to compare) counts as
// a tie.  The same writer on both sides: the change wins (it comes later
// in that writer's own order).
Winner last_write_wins(std::optional<int> target_vs_source, const Writer& source, const Writer& target) noexcept;

}  // namespace tidemark::conflict
