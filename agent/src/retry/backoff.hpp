// Backoff: the wait before each retry after a lost connection: 100 ms,
// doubling up to 30 s, each wait drawn at random between half and all of
// it (jitter) so agents and copy jobs that lost the same server do not
// return in step.  Shared by the stream's reconnects and the copy's chunk
// retries.  Must not: sleep (the caller waits, so a stop request can cut
// it short).
#pragma once

#include <chrono>
#include <random>

namespace tidemark::retry {

class Backoff {
public:
    explicit Backoff(std::chrono::milliseconds first = std::chrono::milliseconds(100),
                     std::chrono::milliseconds cap = std::chrono::seconds(30));

    std::chrono::milliseconds next();
    void reset() noexcept { attempt_ = 0; }
    int attempts() const noexcept { return attempt_; }

private:
    std::chrono::milliseconds first_;
    std::chrono::milliseconds cap_;
    int attempt_ = 0;
    std::mt19937_64 rng_;
};

}  // namespace tidemark::retry
