// SlotCreationWatch: while CREATE_REPLICATION_SLOT waits, says what it
// waits for.  A logical slot starts decoding from a moment when no
// transaction with an xid is open on the source, so its creation waits for
// every such transaction to end: a long report or a session left "idle in
// transaction" holds it for as long as they last, without a word from the
// server.  After a few seconds, and then every half minute, the watch
// names the sessions the walsender waits on, from another connection.
// Must not: end or signal those sessions (a DBA decides), or fail the
// slot's creation: its own failures are logged once.
#pragma once

#include <stop_token>
#include <string>
#include <thread>

namespace tidemark::stream {

class SlotCreationWatch {
public:
    // `walsender_pid`: the backend creating slot `slot`.
    SlotCreationWatch(std::string conninfo, int walsender_pid, std::string slot);
    ~SlotCreationWatch() = default;  // the thread is stopped and joined
    SlotCreationWatch(const SlotCreationWatch&) = delete;
    SlotCreationWatch& operator=(const SlotCreationWatch&) = delete;

private:
    void run(std::stop_token stop);

    std::string conninfo_;
    int walsender_pid_;
    std::string slot_;
    std::jthread thread_;  // last: starts once everything above exists
};

}  // namespace tidemark::stream
