// VersionSchedule: while a pipeline streams, when the next version of its
// state is due, and the rollback window's floor under what the agent
// confirms to the source.
// A logical slot never streams again what was confirmed, so a rollback to
// a version needs the slot's confirmed_flush_lsn at or before that
// version's origin LSN.  The agent therefore confirms at most the oldest
// origin LSN among the kept versions younger than keep_versions x
// version_interval (and never more than what is durable on the target):
// the slot keeps that much WAL, bounded in time, and older versions stay
// in the history without holding any WAL back.
// Must not: touch a database (VersionKeeper does); its clock is passed in.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>

#include "pg/lsn.hpp"

namespace tidemark::state {

class VersionSchedule {
public:
    using Clock = std::chrono::steady_clock;

    VersionSchedule(int keep_versions, std::chrono::milliseconds interval, Clock::time_point start);

    // A version already on the target: taken at `taken`, origin at `lsn`.
    // Call oldest first, before anything is taken.
    void add_existing(Clock::time_point taken, std::optional<pg::Lsn> lsn);

    // A version is due: some target transaction committed since the last
    // one (`committed` counts them) and version_interval has passed.
    bool due(Clock::time_point now, long long committed) const noexcept;
    void taken(Clock::time_point now, std::optional<pg::Lsn> lsn, long long committed);

    // What may be confirmed to the source when `durable` is committed on
    // the target.
    pg::Lsn confirmable(pg::Lsn durable, Clock::time_point now) const noexcept;

    // keep_versions x version_interval.
    std::chrono::milliseconds window() const noexcept { return window_; }

private:
    struct Kept {
        Clock::time_point taken;
        std::optional<pg::Lsn> lsn;
    };

    std::size_t keep_;
    std::chrono::milliseconds interval_;
    std::chrono::milliseconds window_;
    std::deque<Kept> kept_;  // oldest first, at most keep_
    Clock::time_point last_taken_;
    long long last_committed_ = 0;
};

}  // namespace tidemark::state
