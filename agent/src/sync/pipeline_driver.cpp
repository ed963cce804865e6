// See pipeline_driver.hpp.
#include "sync/pipeline_driver.hpp"

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "cli/exit_codes.hpp"
#include "log/event.hpp"
#include "pg/conninfo_mask.hpp"
#include "pg/database_error.hpp"
#include "retry/backoff.hpp"
#include "retry/stoppable_sleep.hpp"
#include "sync/connection_budget.hpp"
#include "sync/pipeline_lock.hpp"
#include "sync/pipeline_startup.hpp"
#include "sync/session_fence.hpp"
#include "sync/sync_command.hpp"

namespace tidemark::sync {
namespace {

using std::chrono::milliseconds;

// How often a standby asks for the lock, and how often a driving agent
// checks that its lock connection still stands: a takeover waits at most
// this long after the other agent's session ends.
constexpr milliseconds kLockPoll{2000};
// With on_busy = "exit", how long a held lock is asked for again before
// the agent gives up: the lock session of an agent that was just killed
// (a restart by systemd or a script) ends within moments of its process,
// and must not make the restart exit naming a dead agent.
constexpr milliseconds kBusyGrace{5000};
constexpr milliseconds kBusyPoll{200};

enum class Took { lock, stopped, refused };

// Asks for the lock every `poll` until it is taken (lock), `stop` comes
// (stopped) or `give_up_after` has passed (refused; never without one).
Took ask_for_lock(PipelineLock& lock, milliseconds poll, std::optional<milliseconds> give_up_after,
                  std::stop_token stop) {
    const auto until = std::chrono::steady_clock::now() + give_up_after.value_or(milliseconds(0));
    while (!lock.try_take()) {
        if (give_up_after && std::chrono::steady_clock::now() >= until) return Took::refused;
        if (retry::sleep_unless_stopped(poll, stop)) return Took::stopped;
    }
    return Took::lock;
}

// Takes the pipeline's lock, standing by for it when on_busy says so.
Took take_lock(PipelineLock& lock, const config::Config& config, const std::string& name, RunContext& context) {
    const bool exit_when_busy = config.sync.on_busy == config::OnBusy::exit;
    if (exit_when_busy) {
        if (Took took = ask_for_lock(lock, kBusyPoll, kBusyGrace, context.stop.get_token()); took != Took::refused)
            return took;
    } else if (lock.try_take()) {
        return Took::lock;
    }
    auto holder = lock.holder();
    std::string who = holder ? describe(*holder) : std::string("a session that ended a moment ago");
    if (exit_when_busy) {
        log::error("pipeline " + name + " is driven by another agent (" + who +
                       "); this agent exits; set [sync] on_busy = \"wait\" to stand by instead, or stop the "
                       "other agent",
                   {{"pipeline", name}, {"lock_classid", std::to_string(kPipelineLockClass)}});
        return Took::refused;
    }
    log::info("standing by: pipeline " + name + " is driven by another agent (" + who +
                  "); taking over when its session ends",
              {{"pipeline", name}, {"poll_ms", std::to_string(kLockPoll.count())}});
    if (context.budget) context.budget->stand_by(name);
    Took took = ask_for_lock(lock, kLockPoll, std::nullopt, context.stop.get_token());
    if (took == Took::lock)
        log::info("took over pipeline " + name + ": the agent that drove it is gone", {{"pipeline", name}});
    return took;
}

}  // namespace

int drive_pipeline(const config::Config& config, int priority, const cli::SyncOptions& options, RunContext& context) {
    const std::string name = pipeline_name(config);
    retry::Backoff backoff;
    bool reached = false;
    for (;;) {
        if (context.stop.stop_requested()) return cli::kExitDone;
        PipelineLock lock;
        try {
            lock = PipelineLock::connect(config.target.conninfo, name);
            reached = true;
            backoff.reset();
            Took took = take_lock(lock, config, name, context);
            if (took == Took::refused) return cli::kExitFailure;
            if (took == Took::stopped) return cli::kExitDone;
            // Back in line for connections, ahead of lower priorities.
            if (context.budget) context.budget->join(name, priority);
            fence_previous_driver(config, lock.connection(), name);
        } catch (const pg::DatabaseError& e) {
            // As run_pipeline does: a target never reached is a
            // configuration problem; one that went away is an outage.
            if (!reached || !e.is_connection_error()) {
                log::error(e.what(), {{"sqlstate", e.sqlstate()}, {"pipeline", name}});
                return cli::kExitFailure;
            }
            auto delay = backoff.next();
            log::warn("lost the connection that holds the pipeline's lock; connecting again",
                      {{"pipeline", name},
                       {"target", pg::mask_conninfo(config.target.conninfo)},
                       {"in_ms", std::to_string(delay.count())},
                       {"error", e.what()}});
            if (context.budget) context.budget->stand_by(name);
            if (retry::sleep_unless_stopped(delay, context.stop.get_token())) return cli::kExitDone;
            continue;
        }

        // The run stops on a signal (the process's stop) or when the lock
        // is lost (this pipeline's alone).
        std::stop_source stop;
        std::stop_callback forward(context.stop.get_token(), [&] { stop.request_stop(); });
        std::atomic<bool> lost{false};
        std::jthread watch([&](std::stop_token done) {
            while (!retry::sleep_unless_stopped(kLockPoll, done)) {
                if (lock.still_held()) continue;
                lost = true;
                log::error("lost the connection that holds the lock of pipeline " + name +
                               "; stopping at once, another agent may take over",
                           {{"pipeline", name}});
                stop.request_stop();
                return;
            }
        });
        int code = run_pipeline(config, options, context, stop);
        watch.request_stop();
        watch.join();
        if (!lost) {
            lock.release();
            return code;
        }
        if (context.stop.stop_requested()) return code;
        // Most often the target restarted and took every session with
        // it: the lock is free again and this agent takes it back.  If
        // another agent took it first, on_busy decides, as at the start.
        log::info("pipeline " + name + " lost its lock; taking it again once the target answers", {{"pipeline", name}});
        if (context.budget) context.budget->stand_by(name);
    }
}

}  // namespace tidemark::sync
