// PipelineLock: the one-driver-per-pipeline rule.  An agent drives a
// pipeline only while it holds a session-level advisory lock on the target,
// on a connection of its own kept open for the run:
//
//   pg_try_advisory_lock(1952738667, hashtext('tidemark pipeline ' || name))
//
// 1952738667 is "tdmk" in ASCII; in pg_locks the lock shows as
// locktype 'advisory', classid 1952738667, objid the hash, objsubid 2.
// The lock dies with its session, so an agent killed outright releases it
// at once; TCP keepalives on both ends of the connection make a dead host
// or a cut network end the session too.  Anything else that must not run
// while an agent drives the pipeline (a state rollback) takes the same lock
// through try_lock_pipeline.
// Must not: decide what to do when the lock is busy (pipeline_driver does).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pg/connection.hpp"

namespace tidemark::sync {

inline constexpr std::int32_t kPipelineLockClass = 1952738667;

// The lock's two keys as SQL, the pipeline name being parameter $`param`:
// "1952738667, pg_catalog.hashtext('tidemark pipeline ' || $1)".
std::string pipeline_lock_keys(int param = 1);

// Takes the pipeline's lock for the session of `conn` if it is free.
// Throws pg::DatabaseError.
bool try_lock_pipeline(pg::Connection& conn, std::string_view pipeline);
void unlock_pipeline(pg::Connection& conn, std::string_view pipeline);

// The session that holds a pipeline's lock, as pg_stat_activity shows it
// (its details are empty when the role may not see them).
struct LockHolder {
    int pid = 0;
    std::string application_name;
    std::string client_addr;  // empty: a Unix-domain socket
    std::string backend_start;
};

std::optional<LockHolder> lock_holder(pg::Connection& conn, std::string_view pipeline);
// "pid 4242, application_name \"tidemark db1 pid 77\", from 10.0.0.5, connected since ..."
std::string describe(const LockHolder& holder);

class PipelineLock {
public:
    // A connection for the lock, with keepalives that notice a dead peer
    // within about half a minute.  Throws pg::DatabaseError.
    static PipelineLock connect(const std::string& conninfo, std::string pipeline);

    PipelineLock() = default;
    PipelineLock(PipelineLock&&) noexcept = default;
    PipelineLock& operator=(PipelineLock&&) noexcept = default;

    bool try_take();
    bool held() const noexcept { return held_; }
    // A round trip on the lock's connection: false once the connection
    // (and with it the lock) is gone.
    bool still_held();
    std::optional<LockHolder> holder();
    // The lock's session, for short statements between checks.
    pg::Connection& connection() noexcept { return conn_; }
    // Ends the session, which releases the lock.
    void release() noexcept;

private:
    pg::Connection conn_;
    std::string pipeline_;
    bool held_ = false;
};

}  // namespace tidemark::sync
