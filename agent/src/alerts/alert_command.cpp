// See alert_command.hpp.
#include "alerts/alert_command.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "apply/json_text.hpp"
#include "log/event.hpp"
#include "pg/timestamp.hpp"

extern char** environ;

namespace tidemark::alerts {
namespace {

// Closes a descriptor once, whatever path leaves the scope.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_;
};

void send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        // MSG_NOSIGNAL: a command that exits without reading must not
        // SIGPIPE the agent.
        ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        sent += static_cast<std::size_t>(n);
    }
}

// Shortest exact form ("0", "1214", "0.5"); JSON has no infinities.
std::string number(double value) { return std::isfinite(value) ? fmt::format("{}", value) : "null"; }

}  // namespace

std::string host_name() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
    return buf;
}

std::string alert_json(const AlertNotice& n, const std::string& host) {
    return apply::JsonObject()
               .str("alert", n.alert)
               .str("state", "firing")
               .str("pipeline", n.pipeline)
               .raw("value", number(n.value))
               .raw("threshold", number(n.threshold))
               .str("unit", n.unit)
               .str("message", n.message)
               .str("time", pg::format_timestamp(n.at))
               .str("host", host)
               .text() +
           "\n";
}

CommandResult run_alert_command(const std::string& command, const std::string& input,
                                std::chrono::milliseconds timeout) {
    CommandResult result;
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        result.error = std::string("socketpair: ") + std::strerror(errno);
        return result;
    }
    Fd ours(fds[0]), theirs(fds[1]);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, theirs.get(), STDIN_FILENO);
    // The command's output joins the agent's log stream, never the sync
    // report on standard output.
    posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Its own process group, so a timeout kills what the shell started too.
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, "/bin/sh", &actions, &attr, const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        result.error = std::string("could not start /bin/sh: ") + std::strerror(rc);
        return result;
    }
    result.started = true;
    theirs.reset();
    send_all(ours.get(), input);
    ::shutdown(ours.get(), SHUT_WR);

    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
        pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (done < 0 && errno != EINTR) {
            result.error = std::string("waitpid: ") + std::strerror(errno);
            return result;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            result.timed_out = true;
            ::kill(-pid, SIGKILL);
            ::kill(pid, SIGKILL);
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    return result;
}

AlertCommand::AlertCommand(std::string command, std::chrono::milliseconds timeout)
    : command_(std::move(command)),
      timeout_(timeout),
      host_(host_name()),
      thread_([this](std::stop_token stop) { run(std::move(stop)); }) {}

AlertCommand::~AlertCommand() {
    thread_.request_stop();
    wake_.notify_all();
}

void AlertCommand::submit(AlertNotice notice) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(notice));
    }
    wake_.notify_all();
}

void AlertCommand::run(std::stop_token stop) {
    for (;;) {
        AlertNotice notice;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, stop, [&] { return !queue_.empty(); });
            if (queue_.empty()) return;  // stopping with nothing left to send
            notice = std::move(queue_.front());
            queue_.pop_front();
        }
        CommandResult r = run_alert_command(command_, alert_json(notice, host_), timeout_);
        std::initializer_list<log::Field> base{{"alert", notice.alert}, {"pipeline", notice.pipeline}};
        if (!r.started)
            log::error("could not run the [alerts] command: " + r.error, base);
        else if (r.timed_out)
            log::error(
                "the [alerts] command did not finish within command_timeout and was killed; check what it "
                "waits for",
                {{"alert", notice.alert},
                 {"pipeline", notice.pipeline},
                 {"timeout_ms", std::to_string(timeout_.count())}});
        else if (r.exit_code == 127)
            log::error("the [alerts] command was not found (exit 127); check [alerts] command and its PATH",
                       {{"alert", notice.alert}, {"pipeline", notice.pipeline}});
        else if (r.exit_code != 0)
            log::error("the [alerts] command failed", {{"alert", notice.alert},
                                                       {"pipeline", notice.pipeline},
                                                       {"exit_code", std::to_string(r.exit_code)},
                                                       {"signal", std::to_string(r.signal)}});
        else
            log::info("the [alerts] command ran", {{"alert", notice.alert}, {"pipeline", notice.pipeline}});
    }
}

}  // namespace tidemark::alerts
