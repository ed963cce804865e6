// RetentionAlarm: decides, from one reading of a slot's retained WAL, whether
// to stay quiet, warn or alert.  A warning is raised once per crossing of
// warn_retained (again only after the size fell back below it); an alert
// is raised at every reading past max_retained, since a slot that size puts
// the source's disk at risk and must not be lost in the log.
// Must not: log or query anything (slot_watch does).
#pragma once

#include <cstdint>
#include <optional>

namespace tidemark::slot {

enum class RetentionVerdict { quiet, warn, alert };

class RetentionAlarm {
public:
    RetentionAlarm(std::uint64_t warn_retained, std::optional<std::uint64_t> max_retained) noexcept
        : warn_(warn_retained), max_(max_retained) {}

    RetentionVerdict check(std::uint64_t retained) noexcept;

private:
    std::uint64_t warn_;
    std::optional<std::uint64_t> max_;
    bool warned_ = false;
};

}  // namespace tidemark::slot
