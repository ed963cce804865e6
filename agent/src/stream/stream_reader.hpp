// StreamReader: START_REPLICATION on a ReplicationConnection it takes
// over, then the CopyData traffic of the stream: XLogData with the
// decoder's payload, keepalives, and the standby status updates.
// It confirms only the positions the caller reports (send_feedback): the
// applier knows what is durably applied, the reader does not.  Keepalives
// that ask for a reply, and the periodic status the walsender expects, are
// answered with the last positions the caller gave.
// Must not: parse the payload (wire::Parser does) or retry (the caller
// does, on a DatabaseError whose is_connection_error() is true).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "pg/copy_buffer.hpp"
#include "pg/lsn.hpp"
#include "stream/replication_connection.hpp"
#include "stream/replication_message.hpp"
#include "stream/stream_options.hpp"

namespace tidemark::stream {

// One XLogData message; owns its buffer so the payload view stays valid
// for as long as the caller keeps this object.
struct XLogData {
    pg::Lsn wal_start;
    pg::Lsn wal_end;
    std::int64_t send_time = 0;
    pg::CopyBuffer buffer;
    std::size_t payload_offset = 0;

    std::string_view payload() const noexcept { return buffer.view().substr(payload_offset); }
};

// The server ended the stream without an error.
struct StreamEnd {};

using StreamEvent = std::variant<XLogData, Keepalive, StreamEnd>;

struct StreamReaderSettings {
    // How often a status update goes out even when nothing changed; keep
    // well under the server's wal_sender_timeout (60s by default).
    std::chrono::milliseconds status_interval{10000};
    // The flush position the status updates report until the caller
    // confirms more; unset: the start position.  A caller that holds the
    // slot back (a rollback window) starts it lower.
    std::optional<pg::Lsn> initial_flush = std::nullopt;
    // Nothing from the server for this long, half of it after a status
    // update that asked for a reply: the connection is taken as lost
    // (read() throws a class 08 error).  A path that went silent without
    // closing would otherwise be waited on for as long as TCP keeps it.
    // 0: never.
    std::chrono::milliseconds receive_timeout{0};
};

class StreamReader {
public:
    // Sends START_REPLICATION SLOT slot LOGICAL start (options).  `start`
    // 0/0 lets the server resume at the slot's confirmed_flush_lsn.
    // Checks first that the server allows the plugin.
    static StreamReader start(ReplicationConnection connection, std::string_view slot, pg::Lsn start,
                              const StreamOptions& options, StreamReaderSettings settings = {});

    StreamReader(StreamReader&&) noexcept = default;
    StreamReader& operator=(StreamReader&&) noexcept = default;
    StreamReader(const StreamReader&) = delete;
    StreamReader& operator=(const StreamReader&) = delete;

    // The next event, or nullopt when `timeout` passes first.  Throws
    // pg::DatabaseError: class 08 when the connection is lost, the
    // server's SQLSTATE when it ended the stream with an error.
    std::optional<StreamEvent> read(std::chrono::milliseconds timeout);

    // Positions the caller vouches for; positions never go backwards
    // (a lower value than already sent is ignored).  Sent at once.
    void send_feedback(pg::Lsn written, pg::Lsn flushed, pg::Lsn applied, bool reply_requested = false);

    // Ends the stream (CopyDone) and waits for the server to finish.
    void stop();

    bool ended() const noexcept { return ended_; }
    // Highest WAL end position the server reported so far.
    pg::Lsn received() const noexcept { return received_; }
    pg::Lsn confirmed_flush() const noexcept { return flushed_; }
    pg::Connection& connection() noexcept { return conn_; }

private:
    StreamReader(pg::Connection conn, pg::Lsn start, StreamReaderSettings settings);
    void send_status(bool reply_requested);
    // Asks for a reply when the server has been quiet for half the
    // receive timeout; throws once it stayed quiet after being asked.
    void check_silence();

    pg::Connection conn_;
    StreamReaderSettings settings_;
    pg::Lsn written_;
    pg::Lsn flushed_;
    pg::Lsn applied_;
    pg::Lsn received_;
    std::chrono::steady_clock::time_point last_status_;
    // When the server was last heard from, and when a reply was asked for
    // since then.
    std::chrono::steady_clock::time_point last_heard_;
    std::optional<std::chrono::steady_clock::time_point> reply_asked_;
    bool ended_ = false;
};

}  // namespace tidemark::stream
