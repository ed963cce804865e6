// See agent_process.hpp.
#include "agent_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#ifndef TIDEMARK_AGENT_BINARY
#error "TIDEMARK_AGENT_BINARY must point at the built agent"
#endif

namespace tidemark::testing {
namespace {

std::string temp_path(const std::string& suffix) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/tidemark-test-XXXXXX" + suffix;
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    int fd = mkstemps(buf.data(), static_cast<int>(suffix.size()));
    if (fd < 0) throw std::runtime_error("mkstemps failed for " + pattern);
    close(fd);
    return buf.data();
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

std::string agent_binary() { return TIDEMARK_AGENT_BINARY; }

AgentProcess::AgentProcess(std::vector<std::string> args, std::string program) {
    out_path_ = temp_path(".out");
    err_path_ = temp_path(".err");
    args.insert(args.begin(), program.empty() ? agent_binary() : program);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        int out = open(out_path_.c_str(), O_WRONLY | O_TRUNC);
        int err = open(err_path_.c_str(), O_WRONLY | O_TRUNC);
        int in = open("/dev/null", O_RDONLY);
        if (out < 0 || err < 0 || in < 0) _exit(127);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        execv(argv[0], argv.data());
        _exit(127);
    }
}

AgentProcess::~AgentProcess() {
    if (pid_ > 0 && !exit_code_) kill_hard();
    if (!out_path_.empty()) unlink(out_path_.c_str());
    if (!err_path_.empty()) unlink(err_path_.c_str());
}

AgentProcess::AgentProcess(AgentProcess&& other) noexcept { *this = std::move(other); }

AgentProcess& AgentProcess::operator=(AgentProcess&& other) noexcept {
    if (this != &other) {
        if (pid_ > 0 && !exit_code_) kill_hard();
        pid_ = std::exchange(other.pid_, -1);
        exit_code_ = std::exchange(other.exit_code_, std::nullopt);
        peak_rss_kb_ = std::exchange(other.peak_rss_kb_, 0);
        out_path_ = std::exchange(other.out_path_, {});
        err_path_ = std::exchange(other.err_path_, {});
    }
    return *this;
}

bool AgentProcess::running() {
    if (pid_ <= 0 || exit_code_) return false;
    int status = 0;
    struct rusage usage {};
    pid_t r = wait4(pid_, &status, WNOHANG, &usage);
    if (r == pid_) {
        exit_code_ = decode_status(status);
        peak_rss_kb_ = usage.ru_maxrss;
        return false;
    }
    return true;
}

std::optional<int> AgentProcess::wait(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return exit_code_;
}

void AgentProcess::signal(int sig) {
    if (pid_ > 0 && !exit_code_) ::kill(pid_, sig);
}

void AgentProcess::kill_hard() {
    if (pid_ <= 0 || exit_code_) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    struct rusage usage {};
    if (wait4(pid_, &status, 0, &usage) == pid_) {
        exit_code_ = decode_status(status);
        peak_rss_kb_ = usage.ru_maxrss;
    }
}

std::string AgentProcess::out() const { return slurp(out_path_); }
std::string AgentProcess::err() const { return slurp(err_path_); }

AgentRun run_agent(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
    AgentProcess p(args);
    auto code = p.wait(timeout);
    if (!code) {
        p.kill_hard();
        throw std::runtime_error("agent did not finish in time; stderr:\n" + p.err());
    }
    return {*code, p.out(), p.err(), p.peak_rss_kb()};
}

TempFile::TempFile(const std::string& contents, const std::string& suffix) : path_(temp_path(suffix)) {
    rewrite(contents);
}

TempFile::~TempFile() { unlink(path_.c_str()); }

void TempFile::rewrite(const std::string& contents) const {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << contents;
    if (!out) throw std::runtime_error("cannot write " + path_);
}

}  // namespace tidemark::testing
