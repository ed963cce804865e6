// See sequence_follower.hpp.
#include "sync/sequence_follower.hpp"

#include <exception>

#include "idp/initial_copy.hpp"
#include "log/event.hpp"
#include "retry/stoppable_sleep.hpp"

namespace tidemark::sync {

SequenceFollower::SequenceFollower(const config::Config& config)
    : config_(config), thread_([this](std::stop_token stop) { run(std::move(stop)); }) {}

void SequenceFollower::run(std::stop_token stop) {
    bool failing = false;
    while (!retry::sleep_unless_stopped(config_.sync.sequence_interval, stop)) {
        try {
            idp::copy_sequences(config_, std::nullopt);
            if (failing) log::info("sequence values are copied to the target again");
            failing = false;
        } catch (const std::exception& e) {
            if (!failing)
                log::warn(
                    "could not copy the source's sequence values to the target; trying again at every "
                    "[sync] sequence_interval",
                    {{"error", e.what()}});
            failing = true;
        }
    }
}

}  // namespace tidemark::sync
