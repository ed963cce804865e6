// See stream_reader.hpp.
#include "stream/stream_reader.hpp"

#include <algorithm>

#include "pg/database_error.hpp"
#include "pg/quoting.hpp"
#include "pg/text_settings.hpp"
#include "pg/timestamp.hpp"
#include "stream/plugin_allowance.hpp"

namespace tidemark::stream {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

StreamReader::StreamReader(pg::Connection conn, pg::Lsn start, StreamReaderSettings settings)
    : conn_(std::move(conn)),
      settings_(settings),
      written_(start),
      flushed_(settings.initial_flush.value_or(start)),
      applied_(settings.initial_flush.value_or(start)),
      received_(start),
      last_status_(Clock::now()),
      last_heard_(Clock::now()) {}

StreamReader StreamReader::start(ReplicationConnection connection, std::string_view slot, pg::Lsn start,
                                 const StreamOptions& options, StreamReaderSettings settings) {
    pg::Connection& conn = connection.connection();
    PluginAllowance allowance = require_plugin_allowed(conn);
    // Values that travel as text (user-defined types: domains, composites,
    // enums) are written in the walsender session's forms.  Under a source
    // default of DateStyle 'SQL, DMY', 5 November went out as 05/11/2026 and
    // the target read 11 May; PostgreSQL's own subscription sets the same.
    conn.exec(pg::kPortableTextSettings, "while setting the text forms of decoded values");
    std::string sql = "START_REPLICATION SLOT " + pg::quote_identifier(slot) + " LOGICAL " + start.to_string() + " " +
                      option_clause(options);
    pg::Result r;
    try {
        r = conn.exec(sql, "while starting replication from slot " + std::string(slot));
    } catch (const pg::DatabaseError& e) {
        if (is_plugin_refusal(e)) throw PluginNotAllowedError(allowance);
        throw;
    }
    if (r.status() != PGRES_COPY_BOTH)
        throw pg::DatabaseError("08P01", "START_REPLICATION did not enter COPY BOTH mode", "", "",
                                "while starting replication from slot " + std::string(slot));
    return StreamReader(std::move(conn), start, settings);
}

void StreamReader::send_status(bool reply_requested) {
    std::string message = encode_standby_status(written_, flushed_, applied_, pg::pg_now(), reply_requested);
    conn_.put_copy_data(message, "while sending a standby status update");
    while (!conn_.flush("while sending a standby status update")) conn_.wait_readable(std::chrono::milliseconds(100));
    last_status_ = Clock::now();
}

void StreamReader::send_feedback(pg::Lsn written, pg::Lsn flushed, pg::Lsn applied, bool reply_requested) {
    written_ = std::max(written_, written);
    flushed_ = std::max(flushed_, flushed);
    applied_ = std::max(applied_, applied);
    send_status(reply_requested);
}

void StreamReader::check_silence() {
    const auto limit = settings_.receive_timeout;
    if (limit.count() <= 0) return;
    const auto now = Clock::now();
    if (now - last_heard_ < limit / 2) return;
    if (!reply_asked_) {
        send_status(true);
        reply_asked_ = now;
        return;
    }
    // Half the limit since the question as well: the caller may not have
    // read for a while (its queue was full), and the server deserves the
    // time to answer.
    if (now - last_heard_ < limit || now - *reply_asked_ < limit / 2) return;
    throw pg::DatabaseError(
        std::string(pg::kConnectionFailure),
        "the source sent nothing for " +
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now - last_heard_).count()) +
            " s, not even a keepalive it was asked for; taking the connection as lost",
        "", "the network path may have been cut without closing the connection; [source] receive_timeout sets the wait",
        "while reading the replication stream", true);
}

std::optional<StreamEvent> StreamReader::read(std::chrono::milliseconds timeout) {
    if (ended_) return StreamEvent{StreamEnd{}};
    auto deadline = Clock::now() + timeout;
    for (;;) {
        auto now = Clock::now();
        if (now - last_status_ >= settings_.status_interval) send_status(false);
        auto wake = std::min(deadline, last_status_ + settings_.status_interval);
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now());
        if (wait.count() < 0) wait = std::chrono::milliseconds(0);
        pg::CopyRead r = conn_.get_copy_data(wait, "while reading the replication stream");
        if (r.status == pg::CopyStatus::done) {
            ended_ = true;
            return StreamEvent{StreamEnd{}};
        }
        if (r.status == pg::CopyStatus::timeout) {
            check_silence();
            if (Clock::now() >= deadline) return std::nullopt;
            continue;
        }
        last_heard_ = Clock::now();
        reply_asked_.reset();
        ServerMessage m = parse_server_message(r.buffer.view());
        if (auto* k = std::get_if<Keepalive>(&m)) {
            received_ = std::max(received_, k->wal_end);
            // The walsender disconnects a client that does not answer in
            // time, so a requested reply goes out before anything else.
            if (k->reply_requested) send_status(false);
            return StreamEvent{*k};
        }
        const auto& h = std::get<XLogDataHeader>(m);
        received_ = std::max(received_, h.wal_end);
        return StreamEvent{XLogData{h.wal_start, h.wal_end, h.send_time, std::move(r.buffer), h.payload_offset}};
    }
}

void StreamReader::stop() {
    if (ended_ || !conn_.is_ok()) return;
    conn_.end_copy("while ending the replication stream");
    ended_ = true;
}

}  // namespace tidemark::stream
