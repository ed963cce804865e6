// See version_schedule.hpp.
#include "state/version_schedule.hpp"

#include <algorithm>

namespace tidemark::state {

VersionSchedule::VersionSchedule(int keep_versions, std::chrono::milliseconds interval, Clock::time_point start)
    : keep_(static_cast<std::size_t>(std::max(keep_versions, 1))),
      interval_(interval),
      window_(interval * std::max(keep_versions, 1)),
      last_taken_(start) {}

void VersionSchedule::add_existing(Clock::time_point taken, std::optional<pg::Lsn> lsn) {
    kept_.push_back({taken, lsn});
    while (kept_.size() > keep_) kept_.pop_front();
}

bool VersionSchedule::due(Clock::time_point now, long long committed) const noexcept {
    return committed != last_committed_ && now - last_taken_ >= interval_;
}

void VersionSchedule::taken(Clock::time_point now, std::optional<pg::Lsn> lsn, long long committed) {
    last_taken_ = now;
    last_committed_ = committed;
    add_existing(now, lsn);
}

pg::Lsn VersionSchedule::confirmable(pg::Lsn durable, Clock::time_point now) const noexcept {
    pg::Lsn out = durable;
    for (const auto& k : kept_)
        if (k.lsn && now - k.taken <= window_) out = std::min(out, *k.lsn);
    return out;
}

}  // namespace tidemark::state
