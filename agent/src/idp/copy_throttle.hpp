// CopyThrottle: [sync] copy_max_rate, shared by the copy jobs of one copy:
// together they read at most that many bytes per second from the source,
// as pg_basebackup's --max-rate does, so that a copy started at peak hours
// leaves the source's disks and network to its clients.  A job that got
// ahead sleeps before it reads on; the source's COPY then waits on its
// socket, holding nothing but its snapshot.
// Must not: keep more than a tenth of a second's worth of bytes as credit,
// or sleep past a stop request.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <stop_token>

namespace tidemark::idp {

class CopyThrottle {
public:
    explicit CopyThrottle(std::uint64_t bytes_per_second);

    // Accounts for `bytes` just read and waits until they fit the rate.
    void take(std::uint64_t bytes, std::stop_token stop);

private:
    using Clock = std::chrono::steady_clock;

    const std::uint64_t rate_;
    std::mutex mutex_;
    // When the bytes taken so far are paid for at the rate: a time in the
    // past is unused credit.
    Clock::time_point paid_until_;
};

}  // namespace tidemark::idp
