// AlertCommand: runs the [alerts] command for each alert it is handed, one
// at a time on its own thread, through /bin/sh -c with the alert's JSON
// on standard input and its output sent to the agent's standard error.
// A command that fails, is missing or outlives command_timeout is logged
// (and killed, with its process group) and never stops the agent; every
// child is reaped.
// Must not: block the caller (submit only queues).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

namespace tidemark::alerts {

struct AlertNotice {
    std::string alert;  // rule name
    std::string pipeline;
    double value = 0;
    double threshold = 0;
    std::string unit;
    std::string message;
    std::int64_t at = 0;  // PostgreSQL microseconds
};

// The JSON document the command reads.
std::string alert_json(const AlertNotice& notice, const std::string& host);

// What happened to one run, for logs and tests.
struct CommandResult {
    bool started = false;
    bool timed_out = false;
    int exit_code = -1;  // -1 when killed by a signal or not started
    int signal = 0;
    std::string error;  // why it could not start
};

// Runs `command` now and waits (at most `timeout`) for it.
CommandResult run_alert_command(const std::string& command, const std::string& input,
                                std::chrono::milliseconds timeout);

class AlertCommand {
public:
    AlertCommand(std::string command, std::chrono::milliseconds timeout);
    ~AlertCommand();  // waits for the command running, if any (up to its timeout)
    AlertCommand(const AlertCommand&) = delete;
    AlertCommand& operator=(const AlertCommand&) = delete;

    void submit(AlertNotice notice);

private:
    void run(std::stop_token stop);

    std::string command_;
    std::chrono::milliseconds timeout_;
    std::string host_;
    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::deque<AlertNotice> queue_;
    std::jthread thread_;  // last: starts once everything above exists
};

std::string host_name();

}  // namespace tidemark::alerts
