// Backoff: the waits between retries of a chunk after a lost connection,
// 100 ms doubling to 30 s, each with jitter so that jobs that lost the same
// server do not come back in lockstep.
// Must not: sleep (callers wait, interruptibly).
#pragma once

#include <chrono>
#include <random>

namespace tidemark::idp {

class Backoff {
public:
    Backoff();
    // The next wait: the current step, randomized to between half and all
    // of it, then the step doubles (up to the cap).
    std::chrono::milliseconds next();
    void reset() noexcept { step_ = kFirst; }

    static constexpr std::chrono::milliseconds kFirst{100};
    static constexpr std::chrono::milliseconds kCap{30'000};

private:
    std::chrono::milliseconds step_ = kFirst;
    std::minstd_rand random_;
};

}  // namespace tidemark::idp
