// See copy_throttle.hpp.
#include "idp/copy_throttle.hpp"

#include <stdexcept>

namespace tidemark::idp {
namespace {

constexpr std::chrono::milliseconds kMaxCredit{100};

}  // namespace

CopyThrottle::CopyThrottle(std::uint64_t bytes_per_second) : rate_(bytes_per_second), paid_until_(Clock::now()) {
    if (rate_ == 0) throw std::invalid_argument("a copy rate of 0 bytes per second would never finish");
}

void CopyThrottle::take(std::uint64_t bytes, std::stop_token stop) {
    std::unique_lock lock(mutex_);
    const Clock::time_point now = Clock::now();
    // Time the jobs spent on anything else (a table's count, its indexes)
    // is not saved up for a burst later.
    if (paid_until_ < now - kMaxCredit) paid_until_ = now - kMaxCredit;
    const auto cost = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(static_cast<double>(bytes) / static_cast<double>(rate_)));
    paid_until_ += cost;
    const Clock::time_point until = paid_until_;
    // Nothing notifies: each job waits for its own turn, or for a stop.
    wake_.wait_until(lock, stop, until, [] { return false; });
}

}  // namespace tidemark::idp
