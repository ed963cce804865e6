// The streaming replication sub-protocol inside COPY BOTH: the server's
// XLogData ('w') and primary keepalive ('k') messages, and the standby
// status update ('r') this side sends.  Must not: decide which positions
// to confirm (the caller does).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "pg/lsn.hpp"

namespace tidemark::stream {

struct XLogDataHeader {
    pg::Lsn wal_start;
    pg::Lsn wal_end;
    std::int64_t send_time = 0;
    std::size_t payload_offset = 0;  // where the decoder's payload starts
};

struct Keepalive {
    pg::Lsn wal_end;
    std::int64_t send_time = 0;
    bool reply_requested = false;
};

using ServerMessage = std::variant<XLogDataHeader, Keepalive>;

// Throws pg::DatabaseError with SQLSTATE 08P01 (protocol violation) for
// anything else or a short message.
ServerMessage parse_server_message(std::string_view data);

// 'r' message: write, flush and apply positions, the client's clock,
// and whether the server should reply at once.
std::string encode_standby_status(pg::Lsn written, pg::Lsn flushed, pg::Lsn applied, std::int64_t now,
                                  bool reply_requested);

}  // namespace tidemark::stream
