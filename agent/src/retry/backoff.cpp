// See backoff.hpp.
#include "retry/backoff.hpp"

#include <algorithm>

namespace tidemark::retry {

Backoff::Backoff(std::chrono::milliseconds first, std::chrono::milliseconds cap)
    : first_(first), cap_(cap), rng_(std::random_device{}()) {}

std::chrono::milliseconds Backoff::next() {
    long long base = first_.count();
    for (int i = 0; i < attempt_ && base < cap_.count(); ++i) base *= 2;
    base = std::min(base, static_cast<long long>(cap_.count()));
    ++attempt_;
    std::uniform_int_distribution<long long> jitter(base / 2, base);
    return std::chrono::milliseconds(jitter(rng_));
}

}  // namespace tidemark::retry
