// Runs the tidemark agent binary (or a workload such as pgbench) as a child
// process for the multi-cluster tests: start it, wait for it with a
// deadline, SIGKILL it at a chosen moment, read what it printed and how much
// memory it peaked at.  Must not: interpret the agent's output
// beyond returning it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace tidemark::testing {

class AgentProcess {
public:
    AgentProcess() = default;
    // Runs `program` (the agent unless told otherwise) with `args`.
    explicit AgentProcess(std::vector<std::string> args, std::string program = {});
    ~AgentProcess();
    AgentProcess(AgentProcess&& other) noexcept;
    AgentProcess& operator=(AgentProcess&& other) noexcept;
    AgentProcess(const AgentProcess&) = delete;
    AgentProcess& operator=(const AgentProcess&) = delete;

    bool running();
    // The exit code, or nullopt if the deadline passed first.  A death by
    // signal returns 128 + the signal number, as a shell would.
    std::optional<int> wait(std::chrono::milliseconds timeout = std::chrono::minutes(5));
    void signal(int sig);
    void kill_hard();  // SIGKILL and reap
    std::string out() const;  // standard output so far
    std::string err() const;  // standard error so far
    pid_t pid() const { return pid_; }
    // Peak resident memory in kB, known once the process has been reaped.
    long peak_rss_kb() const { return peak_rss_kb_; }

private:
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    long peak_rss_kb_ = 0;
    std::string out_path_;
    std::string err_path_;
};

// Path of the built agent binary (set by CMake).
std::string agent_binary();

// Runs the agent to completion and returns {exit code, stdout, stderr}.
struct AgentRun {
    int exit_code;
    std::string out;
    std::string err;
    long peak_rss_kb;
};
AgentRun run_agent(const std::vector<std::string>& args,
                   std::chrono::milliseconds timeout = std::chrono::minutes(10));

// Writes text to a new temporary file and returns its path; the file is
// removed when the TempFile goes away.
class TempFile {
public:
    explicit TempFile(const std::string& contents, const std::string& suffix = ".toml");
    ~TempFile();
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const { return path_; }
    void rewrite(const std::string& contents) const;

private:
    std::string path_;
};

}  // namespace tidemark::testing
