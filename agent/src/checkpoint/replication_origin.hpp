// ReplicationOrigin: the target's record of how far the source's stream
// has been applied (a PostgreSQL replication origin).  The apply session
// binds itself to it once; each target transaction that applies source
// commits stamps the origin with the last source commit's end LSN, so the
// progress commits atomically with the rows.  Owns the origin's name and
// every SQL call on it.
// Must not: hold progress in memory as the truth (the server's value is).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace tidemark::checkpoint {

// 'tidemark_' + the pipeline name, with characters outside [A-Za-z0-9_]
// replaced by '_' and, when anything was replaced, a hash suffix so two
// names that sanitise alike keep distinct origins.
std::string origin_name_for(std::string_view pipeline);

// A statement to send inside a target transaction, with text parameters.
struct OriginStatement {
    std::string sql;
    pg::TextParams params;
};

class ReplicationOrigin {
public:
    explicit ReplicationOrigin(std::string name) : name_(std::move(name)) {}
    const std::string& name() const noexcept { return name_; }

    bool exists(pg::Connection& conn) const;
    void create_if_missing(pg::Connection& conn) const;
    // True when there was one to drop.
    bool drop_if_exists(pg::Connection& conn) const;
    // The applied position, flushed to disk; nullopt when the origin is
    // missing or was never advanced.
    std::optional<pg::Lsn> progress(pg::Connection& conn) const;
    // Moves the origin to `lsn` (used once, after the copy, from a session
    // that is not bound to the origin).
    void advance(pg::Connection& conn, pg::Lsn lsn) const;
    // Binds `conn` to the origin for the rest of its life: its commits
    // are marked as coming from the origin.
    void setup_session(pg::Connection& conn) const;

    // pg_replication_origin_xact_setup: the current transaction applies
    // source commits up to `end_lsn`, committed at `commit_time`.
    static OriginStatement xact_setup(pg::Lsn end_lsn, std::int64_t commit_time);

private:
    std::string name_;
};

}  // namespace tidemark::checkpoint
