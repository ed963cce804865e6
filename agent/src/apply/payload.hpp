// Payload: one XLogData payload from the stream with the messages parsed
// from it.  Messages and the changes made from them point into `buffer`,
// so the applier keeps a Payload alive (shared_ptr) until every change
// taken from it has been written to the target.
// Must not: be copied (its buffer is libpq's).
#pragma once

#include <cstddef>
#include <vector>

#include "pg/copy_buffer.hpp"
#include "pg/lsn.hpp"
#include "wire/message.hpp"

namespace tidemark::apply {

struct Payload {
    pg::CopyBuffer buffer;
    std::vector<wire::Message> messages;
    pg::Lsn wal_end;

    // Bytes this payload holds once parsed: the buffer, the messages and
    // their tuple vectors (several times the buffer for narrow rows).
    std::size_t footprint() const noexcept;
};

}  // namespace tidemark::apply
