// Conflict detection on a target without track_commit_timestamp: `sync`
// warns once at start, naming the setting, the fix and the conflict kinds
// it cannot see, and carries the warning into the report; `check-config`
// fails that check.  Without [conflicts] nothing is said.
#include "sync_fixture.hpp"

namespace tidemark::testing {
namespace {

using CommitTimestampCheck = SyncTest;

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
}

TEST_F(CommitTimestampCheck, ATargetWithoutCommitTimestampsIsToldOnceWithTheFix) {
    TestCluster plain("no-commit-ts", {"track_commit_timestamp=off"});
    plain.create_database(db());
    src("CREATE TABLE items (id int PRIMARY KEY, v text)");
    src("INSERT INTO items VALUES (1, 'a')");
    auto text = [&](const std::string& tail) {
        return "[source]\nconninfo = \"" + source().conninfo(db()) + "\"\nslot = \"" + slot() +
               "\"\n[target]\nconninfo = \"" + plain.conninfo(db()) + "\"\n[sync]\nstartup_mode = \"initial\"\n" + tail;
    };
    const std::string conflicts = "[conflicts]\ndefault = \"last_write_wins\"\n";

    auto run = sync_once(text(conflicts));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(count(run.err, "track_commit_timestamp is off on the target"), 1u) << run.err;
    for (const char* part : {"ALTER SYSTEM SET track_commit_timestamp = on", "restart", "update_differs",
                             "delete_differs", "REPLICA IDENTITY FULL"})
        EXPECT_NE(run.err.find(part), std::string::npos) << "missing " << part << " in:\n" << run.err;
    EXPECT_NE(run.out.find("track_commit_timestamp is off"), std::string::npos) << "the report's warnings:\n"
                                                                                << run.out;

    TempFile file(text(conflicts));
    auto check = run_agent({"check-config", "-c", file.path()});
    EXPECT_EQ(check.exit_code, 1) << describe(check);
    EXPECT_NE(check.out.find("FAILED  target: track_commit_timestamp (conflict detection): track_commit_timestamp is "
                             "off"),
              std::string::npos)
        << check.out;

    // Without conflict handling configured the setting does not matter.
    auto quiet = sync_once(text(""));
    ASSERT_EQ(quiet.exit_code, 0) << describe(quiet);
    EXPECT_EQ(quiet.err.find("track_commit_timestamp"), std::string::npos) << quiet.err;
    TempFile quiet_file(text(""));
    auto quiet_check = run_agent({"check-config", "-c", quiet_file.path()});
    EXPECT_EQ(quiet_check.out.find("track_commit_timestamp"), std::string::npos) << quiet_check.out;
}

TEST_F(CommitTimestampCheck, ATargetWithCommitTimestampsPassesTheCheck) {
    TempFile file(config("initial", "", "", "", "[conflicts]\ndefault = \"last_write_wins\"\n"));
    auto check = run_agent({"check-config", "-c", file.path()});
    EXPECT_NE(check.out.find("ok      target: track_commit_timestamp (conflict detection): on"), std::string::npos)
        << check.out;
    EXPECT_NE(check.out.find("ok      target: replication origin states"), std::string::npos) << check.out;
}

}  // namespace
}  // namespace tidemark::testing
