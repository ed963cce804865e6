// Unit tests of state management without a database: the [state] section,
// the `tidemark state ...` command line, and the version schedule (when a
// version is due, and the rollback window's floor under what is confirmed
// to the source).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "cli/command_line.hpp"
#include "cli/usage_error.hpp"
#include "config/config_error.hpp"
#include "config/config_loader.hpp"
#include "state/version_schedule.hpp"

namespace tidemark {
namespace {

using namespace std::chrono_literals;

const std::string kMinimal =
    "[source]\nconninfo = \"host=src dbname=app\"\n"
    "[target]\nconninfo = \"host=dst dbname=app\"\n";

std::string config_error(const std::string& text) {
    try {
        config::parse_config(text);
    } catch (const config::ConfigError& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(StateConfig, DefaultsAndValues) {
    auto defaults = config::parse_config(kMinimal);
    EXPECT_EQ(defaults.state.keep_versions, 10);
    EXPECT_EQ(defaults.state.version_interval, std::chrono::milliseconds(60000));
    EXPECT_FALSE(defaults.state.auto_repair);

    auto c =
        config::parse_config(kMinimal + "[state]\nkeep_versions = 3\nversion_interval = \"30s\"\nauto_repair = true\n");
    EXPECT_EQ(c.state.keep_versions, 3);
    EXPECT_EQ(c.state.version_interval, std::chrono::milliseconds(30000));
    EXPECT_TRUE(c.state.auto_repair);
}

TEST(StateConfig, RefusesBadValuesNamingTheKey) {
    EXPECT_NE(config_error(kMinimal + "[state]\nkeep_versions = 0\n").find("keep_versions"), std::string::npos);
    EXPECT_NE(config_error(kMinimal + "[state]\nversion_interval = \"10ms\"\n").find("at least 1s"), std::string::npos);
    EXPECT_NE(config_error(kMinimal + "[state]\nauto_repiar = true\n").find("auto_repiar"), std::string::npos);
}

cli::CommandLine parse(std::vector<std::string_view> args) { return cli::parse_command_line(args); }

std::string usage_error(std::vector<std::string_view> args) {
    try {
        parse(args);
    } catch (const cli::UsageError& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(StateCommandLine, ParsesEverySubcommand) {
    auto show = parse({"state", "show", "-c", "a.toml", "--json"});
    EXPECT_EQ(show.command, cli::Command::state);
    EXPECT_EQ(show.state.action, cli::StateAction::show);
    EXPECT_TRUE(show.state.json);
    EXPECT_EQ(show.config_path, "a.toml");

    auto rollback = parse({"state", "rollback", "-c", "a.toml", "12"});
    EXPECT_EQ(rollback.state.action, cli::StateAction::rollback);
    ASSERT_TRUE(rollback.state.version);
    EXPECT_EQ(*rollback.state.version, 12);

    auto reset = parse({"state", "reset", "--config=a.toml", "--yes", "--keep-slot"});
    EXPECT_TRUE(reset.state.yes);
    EXPECT_TRUE(reset.state.keep_slot);

    auto import = parse({"state", "import", "-c", "a.toml", "state.json", "--force"});
    EXPECT_EQ(import.state.action, cli::StateAction::import_state);
    EXPECT_EQ(import.state.file->string(), "state.json");
    EXPECT_TRUE(import.state.force);

    auto validate = parse({"state", "validate", "-c", "a.toml", "--repair"});
    EXPECT_TRUE(validate.state.repair);
}

TEST(StateCommandLine, RefusesWhatASubcommandDoesNotTake) {
    EXPECT_NE(usage_error({"state"}).find("needs a subcommand"), std::string::npos);
    EXPECT_NE(usage_error({"state", "undo", "-c", "a.toml"}).find("unknown state subcommand"), std::string::npos);
    EXPECT_NE(usage_error({"state", "rollback", "-c", "a.toml"}).find("needs a VERSION"), std::string::npos);
    EXPECT_NE(usage_error({"state", "rollback", "-c", "a.toml", "x1"}).find("version number"), std::string::npos);
    EXPECT_NE(usage_error({"state", "export", "-c", "a.toml"}).find("needs a FILE"), std::string::npos);
    EXPECT_NE(usage_error({"state", "show", "-c", "a.toml", "--yes"}).find("unknown option --yes"), std::string::npos);
    EXPECT_NE(usage_error({"state", "history", "--json"}).find("needs -c FILE"), std::string::npos);
    EXPECT_NE(usage_error({"state", "show", "-c", "a.toml", "--json", "--json"}).find("more than once"),
              std::string::npos);
}

using Clock = state::VersionSchedule::Clock;

TEST(VersionSchedule, AVersionIsDueAfterACommitOncePerInterval) {
    auto t0 = Clock::now();
    state::VersionSchedule s(3, 60s, t0);
    EXPECT_FALSE(s.due(t0 + 120s, 0)) << "nothing committed, nothing to record";
    EXPECT_FALSE(s.due(t0 + 30s, 5)) << "the interval has not passed";
    EXPECT_TRUE(s.due(t0 + 61s, 5));
    s.taken(t0 + 61s, pg::Lsn(100), 5);
    EXPECT_FALSE(s.due(t0 + 200s, 5)) << "no commit since the last version";
    EXPECT_FALSE(s.due(t0 + 100s, 6));
    EXPECT_TRUE(s.due(t0 + 122s, 6));
}

TEST(VersionSchedule, ConfirmsNoFurtherThanTheOldestKeptVersionInTheWindow) {
    auto t0 = Clock::now();
    state::VersionSchedule s(3, 60s, t0);  // window: 3 minutes
    EXPECT_EQ(s.window(), std::chrono::milliseconds(180000));
    EXPECT_EQ(s.confirmable(pg::Lsn(500), t0), pg::Lsn(500)) << "no version: only durability limits";
    s.taken(t0, pg::Lsn(100), 1);
    s.taken(t0 + 60s, pg::Lsn(200), 2);
    s.taken(t0 + 120s, pg::Lsn(300), 3);
    EXPECT_EQ(s.confirmable(pg::Lsn(500), t0 + 130s), pg::Lsn(100));
    EXPECT_EQ(s.confirmable(pg::Lsn(50), t0 + 130s), pg::Lsn(50)) << "never past what is durable";
    // A fourth version pushes the first out of the kept set.
    s.taken(t0 + 180s, pg::Lsn(400), 4);
    EXPECT_EQ(s.confirmable(pg::Lsn(500), t0 + 181s), pg::Lsn(200));
    // Versions older than the window no longer hold WAL back.
    EXPECT_EQ(s.confirmable(pg::Lsn(500), t0 + 60s + 181s), pg::Lsn(300));
    EXPECT_EQ(s.confirmable(pg::Lsn(500), t0 + 180s + 181s), pg::Lsn(500));
}

TEST(VersionSchedule, VersionsWithoutAnOriginPositionDoNotHoldBack) {
    auto t0 = Clock::now();
    state::VersionSchedule s(2, 1s, t0);
    s.add_existing(t0, std::nullopt);  // taken while copying
    EXPECT_EQ(s.confirmable(pg::Lsn(42), t0), pg::Lsn(42));
    s.add_existing(t0, pg::Lsn(7));
    EXPECT_EQ(s.confirmable(pg::Lsn(42), t0), pg::Lsn(7));
}

}  // namespace
}  // namespace tidemark
