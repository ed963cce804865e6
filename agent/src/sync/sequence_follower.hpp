// SequenceFollower: while a pipeline streams without end, a thread that
// copies the source's sequence values to the target every [sync]
// sequence_interval (idp::copy_sequences), so that a target promoted at
// any moment (a planned switchover, or a source that is gone) does not
// hand out values its rows already hold.  Logical decoding carries no
// sequence changes, hence the polling.
// Must not: stop the sync: its own failures are logged and tried again at
// the next interval.
#pragma once

#include <stop_token>
#include <thread>

#include "config/config.hpp"

namespace tidemark::sync {

class SequenceFollower {
public:
    // `config` must outlive the follower; its [sync] sequence_interval
    // must not be zero.
    explicit SequenceFollower(const config::Config& config);
    ~SequenceFollower() = default;  // the thread is stopped and joined
    SequenceFollower(const SequenceFollower&) = delete;
    SequenceFollower& operator=(const SequenceFollower&) = delete;

private:
    void run(std::stop_token stop);

    const config::Config& config_;
    std::jthread thread_;  // last: starts once everything above exists
};

}  // namespace tidemark::sync
