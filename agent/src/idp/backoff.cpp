// See backoff.hpp.
#include "idp/backoff.hpp"

#include <algorithm>

namespace tidemark::idp {

Backoff::Backoff() : random_(std::random_device{}()) {}

std::chrono::milliseconds Backoff::next() {
    auto step = step_.count();
    std::uniform_int_distribution<long long> jitter(step / 2, step);
    step_ = std::min(kCap, step_ * 2);
    return std::chrono::milliseconds(jitter(random_));
}

}  // namespace tidemark::idp
