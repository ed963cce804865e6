// Unit tests of the command line: parsing, and the exit code of every
// kind of outcome (cli::run with a stand-in sync command).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "cli/command_line.hpp"
#include "cli/exit_codes.hpp"
#include "cli/usage_error.hpp"
#include "config/config_error.hpp"

namespace tidemark::cli {
namespace {

class TempConfig {
public:
    explicit TempConfig(const std::string& text) {
        std::string pattern = (std::filesystem::temp_directory_path() / "tidemark-cli-test-XXXXXX.toml").string();
        int fd = ::mkstemps(pattern.data(), 5);
        if (fd < 0) throw std::runtime_error("mkstemps failed for " + pattern);
        ::close(fd);
        path_ = pattern;
        std::ofstream(path_) << text;
    }
    ~TempConfig() { std::filesystem::remove(path_); }
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

// Port 1 on loopback refuses connections at once.
const std::string kUnreachable =
    "[source]\nconninfo = \"host=127.0.0.1 port=1 user=u password=hunter2 connect_timeout=2\"\n"
    "[target]\nconninfo = \"host=127.0.0.1 port=1 user=u connect_timeout=2\"\n";

struct Outcome {
    int code;
    std::string out;
    std::string err;
};

Outcome run_with(std::vector<std::string_view> args, SyncCommand sync = nullptr) {
    std::ostringstream out, err;
    if (!sync)
        sync = [](const config::Config&, const SyncOptions&, std::shared_ptr<log::TerminalSink>) { return kExitDone; };
    int code = run(args, Commands{sync}, out, err);
    return {code, out.str(), err.str()};
}

CommandLine parse(std::vector<std::string_view> args) { return parse_command_line(args); }

TEST(CommandLine, ParsesSyncOptionsInBothSpellings) {
    CommandLine cl = parse({"sync", "-c", "a.toml", "--once", "--reset", "--report=r.txt", "--log-format", "json"});
    EXPECT_EQ(cl.command, Command::sync);
    EXPECT_EQ(cl.config_path, "a.toml");
    EXPECT_TRUE(cl.sync.once);
    EXPECT_TRUE(cl.sync.reset);
    ASSERT_TRUE(cl.sync.report_file.has_value());
    EXPECT_EQ(*cl.sync.report_file, "r.txt");
    EXPECT_EQ(cl.sync.log_format, log::LogFormat::json);

    cl = parse({"sync", "--config=b.toml", "--report", "x"});
    EXPECT_EQ(cl.config_path, "b.toml");
    EXPECT_FALSE(cl.sync.once);
    EXPECT_EQ(cl.sync.log_format, log::LogFormat::plain);
}

TEST(CommandLine, ParsesSlotSubcommands) {
    CommandLine list = parse({"slot", "list", "-c", "a.toml", "--json"});
    EXPECT_EQ(list.command, Command::slot_list);
    EXPECT_TRUE(list.slot.json);
    CommandLine drop = parse({"slot", "drop", "-c", "a.toml", "old_slot", "--yes"});
    EXPECT_EQ(drop.command, Command::slot_drop);
    EXPECT_TRUE(drop.slot.yes);
    EXPECT_EQ(drop.slot.name, "old_slot");
    EXPECT_FALSE(parse({"slot", "drop", "-c", "a.toml"}).slot.name);
    EXPECT_THROW(parse({"slot", "-c", "a.toml"}), UsageError);
    EXPECT_THROW(parse({"slot", "list", "-c", "a.toml", "--yes"}), UsageError);
    EXPECT_THROW(parse({"slot", "drop", "-c", "a.toml", "a", "b"}), UsageError);
    EXPECT_THROW(parse({"slot", "drop", "a"}), UsageError);
}

TEST(CommandLine, RefusesWhatItDoesNotKnow) {
    EXPECT_THROW(parse({}), UsageError);
    EXPECT_THROW(parse({"snyc", "-c", "a"}), UsageError);
    EXPECT_THROW(parse({"sync"}), UsageError);
    EXPECT_THROW(parse({"sync", "-c"}), UsageError);
    EXPECT_THROW(parse({"sync", "-c", "a", "-c", "b"}), UsageError);
    EXPECT_THROW(parse({"sync", "-c", "a", "--log-format", "xml"}), UsageError);
    EXPECT_THROW(parse({"sync", "-c", "a", "--once=yes"}), UsageError);
    EXPECT_THROW(parse({"check-config", "-c", "a", "--once"}), UsageError);
    EXPECT_THROW(parse({"sync", "-c", "a", "extra"}), UsageError);
    EXPECT_THROW(parse({"--version", "x"}), UsageError);
}

TEST(Cli, UsageErrorsExit2WithOneLineAndTheUsage) {
    Outcome o = run_with({"sync"});
    EXPECT_EQ(o.code, kExitBadConfig);
    EXPECT_EQ(o.err.rfind("tidemark: sync needs -c FILE (the configuration file)\nusage: tidemark sync", 0), 0u)
        << o.err;
    o = run_with({"frobnicate"});
    EXPECT_EQ(o.code, kExitBadConfig);
    EXPECT_EQ(o.err.rfind("tidemark: unknown command \"frobnicate\"\n", 0), 0u) << o.err;
    EXPECT_EQ(run_with({}).code, kExitBadConfig);
}

TEST(Cli, VersionAndHelpExit0OnStdout) {
    Outcome o = run_with({"--version"});
    EXPECT_EQ(o.code, kExitDone);
    EXPECT_EQ(o.out.rfind("tidemark ", 0), 0u);
    EXPECT_TRUE(o.err.empty());
    o = run_with({"--help"});
    EXPECT_EQ(o.code, kExitDone);
    EXPECT_NE(o.out.find("check-config"), std::string::npos);
}

TEST(Cli, ConfigErrorsExit2) {
    TempConfig bad("[sync]\nstartup_mode = \"initail\"\n");
    Outcome o = run_with({"sync", "-c", bad.path()});
    EXPECT_EQ(o.code, kExitBadConfig);
    EXPECT_EQ(o.err, "config error: section [source] is required\n");
    o = run_with({"check-config", "-c", "/nonexistent/x.toml"});
    EXPECT_EQ(o.code, kExitBadConfig);
}

TEST(Cli, SyncGetsTheConfigAndOptionsAndItsExitCodeIsKept) {
    TempConfig good(kUnreachable);
    bool called = false;
    Outcome o = run_with({"sync", "-c", good.path(), "--once"},
                         [&](const config::Config& c, const SyncOptions& s, std::shared_ptr<log::TerminalSink>) {
                             called = true;
                             EXPECT_EQ(c.source.slot, "tidemark");
                             EXPECT_TRUE(s.once);
                             return 0;
                         });
    EXPECT_TRUE(called);
    EXPECT_EQ(o.code, kExitDone);
}

TEST(Cli, FailuresInsideSyncMapToExitCodes) {
    TempConfig good(kUnreachable);
    auto throws_runtime = [](const config::Config&, const SyncOptions&, std::shared_ptr<log::TerminalSink>) -> int {
        throw std::runtime_error("target went away");
    };
    EXPECT_EQ(run_with({"sync", "-c", good.path()}, throws_runtime).code, kExitFailure);
    auto throws_config = [](const config::Config&, const SyncOptions&, std::shared_ptr<log::TerminalSink>) -> int {
        throw config::ConfigError("[sync] something only sync can tell");
    };
    Outcome o = run_with({"sync", "-c", good.path()}, throws_config);
    EXPECT_EQ(o.code, kExitBadConfig);
    EXPECT_EQ(o.err, "config error: [sync] something only sync can tell\n");
}

TEST(Cli, CheckConfigFailsWhenTheDatabasesCannotBeReached) {
    TempConfig good(kUnreachable);
    Outcome o = run_with({"check-config", "-c", good.path()});
    EXPECT_EQ(o.code, kExitFailure);
    EXPECT_NE(o.out.find("ok      config: " + good.path()), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("FAILED  source: connect"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("FAILED  target: connect"), std::string::npos) << o.out;
    EXPECT_EQ(o.out.find("hunter2"), std::string::npos) << o.out;
}

}  // namespace
}  // namespace tidemark::cli
