// See last_write_wins.hpp.
#include "conflict/last_write_wins.hpp"

namespace tidemark::conflict {

Winner last_write_wins(std::optional<int> target_vs_source, const Writer& source, const Writer& target) noexcept {
    int cmp = target_vs_source.value_or(0);
    if (cmp > 0) return Winner::target;
    if (cmp < 0) return Winner::source;
    if (source.rank != target.rank) return source.rank < target.rank ? Winner::source : Winner::target;
    if (source.origin != target.origin) return source.origin < target.origin ? Winner::source : Winner::target;
    return Winner::source;
}

}  // namespace tidemark::conflict
