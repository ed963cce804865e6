// See copy_throttle.hpp.
#include "idp/copy_throttle.hpp"

#include <stdexcept>

#include "retry/stoppable_sleep.hpp"

namespace tidemark::idp {
namespace {

constexpr std::chrono::milliseconds kMaxCredit{100};

}  // namespace

CopyThrottle::CopyThrottle(std::uint64_t bytes_per_second) : rate_(bytes_per_second), paid_until_(Clock::now()) {
    if (rate_ == 0) throw std::invalid_argument("a copy rate of 0 bytes per second would never finish");
}

void CopyThrottle::take(std::uint64_t bytes, std::stop_token stop) {
    Clock::time_point until;
    {
        std::lock_guard lock(mutex_);
        const Clock::time_point now = Clock::now();
        // Time the jobs spent on anything else (a table's count, its
        // indexes) is not saved up for a burst later.
        if (paid_until_ < now - kMaxCredit) paid_until_ = now - kMaxCredit;
        paid_until_ += std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(static_cast<double>(bytes) / static_cast<double>(rate_)));
        until = paid_until_;
    }
    // Each job waits for its own turn, or for a stop.
    retry::sleep_until_unless_stopped(until, std::move(stop));
}

}  // namespace tidemark::idp
