// The data path of one chunk: COPY ... TO STDOUT on the source straight
// into COPY ... FROM STDIN on the target, one CopyData buffer at a time,
// each buffer handed from libpq's read to libpq's write without a copy.
// Must not: start, commit or roll back transactions, or hold more than the
// buffer in flight.
#pragma once

#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>

#include "idp/copy_throttle.hpp"
#include "pg/connection.hpp"

namespace tidemark::idp {

struct PumpResult {
    std::int64_t rows = 0;   // rows the target's COPY took (equal to the source's count)
    std::int64_t bytes = 0;  // COPY bytes moved
};

// Called every few thousand rows with the rows and bytes moved since the
// previous call, for progress.
using PumpProgress = std::function<void(std::int64_t rows, std::int64_t bytes)>;

// Starts `copy_in` on the target, then `copy_out` on the source, and moves
// everything.  On any failure the target's COPY is aborted (its
// transaction is then failed) and the source is left mid-COPY: the caller
// closes both.  Throws CopyInterrupted when `stop` is requested,
// pg::DatabaseError for what either server reports.
// With a `throttle`, reads no faster than it allows.
PumpResult pump_copy(pg::Connection& source, const std::string& copy_out, pg::Connection& target,
                     const std::string& copy_in, const PumpProgress& progress, CopyThrottle* throttle,
                     std::stop_token stop, const std::string& context);

}  // namespace tidemark::idp
