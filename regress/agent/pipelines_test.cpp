// Several pipelines in one agent, and one agent per pipeline: two
// pipelines of different priorities over disjoint tables, sharing fewer
// target connections than both want (the higher one's copy goes first,
// read from tidemark.tables, not from timing); a second agent on a busy
// pipeline refused or standing by, taking over after SIGKILL of the
// first; an agent that loses its lock stops driving; a new driver ends
// the sessions a dead one left holding the pipeline's origin or a copy
// origin.  On a terminal one pipeline's copy draws bars; several write
// log lines naming their pipeline.
#include <csignal>

#include "sync_fixture.hpp"
#include "terminal_screen.hpp"

namespace tidemark::testing {
namespace {

class Pipelines : public SyncTest {
protected:
    // [source] and [target] for this test's pair, then `rest`.
    std::string sides(const std::string& target_extra, const std::string& rest) const {
        return "[source]\nconninfo = \"" + source().conninfo(db()) + "\"\n\n[target]\nconninfo = \"" +
               target().conninfo(db()) + "\"\n" + target_extra + "\n" + rest;
    }

    // The session that holds the lock of `pipeline` on the target, as the
    // documentation tells a DBA to find it.
    std::string lock_holder_pid(const std::string& pipeline) const {
        return tgt_value(
            "SELECT coalesce(min(pid)::text, '') FROM pg_locks WHERE locktype = 'advisory' AND classid = 1952738667 "
            "AND objsubid = 2 AND objid = hashtext('tidemark pipeline ' || '" +
            pipeline + "')::oid AND granted");
    }

    // What takes the pipeline's lock, as the agent does.
    std::string take_lock_sql() const {
        return "SELECT pg_advisory_lock(1952738667, hashtext('tidemark pipeline ' || '" + slot() + "'))";
    }

    bool target_count_is(const std::string& table, const std::string& count) const {
        return tgt_value_is("SELECT count(*) FROM " + table, count);
    }
    // A table of 100 items on the source and an agent (on_busy = "exit")
    // that has copied it; returns the PID of the agent's lock session.
    std::string drive_items(const TempFile& cfg, AgentProcess& agent) {
        src("CREATE TABLE items (id bigint PRIMARY KEY, v text)");
        src("INSERT INTO items SELECT g, 'x' FROM generate_series(1, 100) g");
        agent = start_sync(cfg);
        EXPECT_TRUE(wait_until([&] { return target_count_is("items", "100"); })) << agent.err();
        return lock_holder_pid(slot());
    }
};

TEST_F(Pipelines, HigherPriorityCopiesFirstWhenConnectionsAreShort) {
    for (const char* schema : {"hi", "lo"}) {
        std::string s(schema);
        src("CREATE SCHEMA " + s);
        for (int t = 1; t <= 2; ++t) {
            std::string table = s + ".t" + std::to_string(t);
            src("CREATE TABLE " + table + " (id bigint PRIMARY KEY, v text)");
            src("INSERT INTO " + table + " SELECT g, md5(g::text) FROM generate_series(1, 4000) g");
        }
    }
    // Two connections for two pipelines of two copy jobs each; the low
    // priority comes first in the file, so the order is not the file's.
    std::string cfg = sides("max_connections = 2",
                            "[sync]\nstartup_mode = \"initial\"\ncopy_jobs = 2\nchunk_rows = 500\n\n"
                            "[[pipelines]]\nname = \"low\"\nslot = \"" +
                                slot() +
                                "_lo\"\ninclude = [\"lo.*\"]\n"
                                "priority = 1\n\n"
                                "[[pipelines]]\nname = \"high\"\nslot = \"" +
                                slot() +
                                "_hi\"\ninclude = [\"hi.*\"]\n"
                                "priority = 10\n");
    auto run = sync_once(cfg);
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    expect_converged();
    // Copies of two pipelines report in log lines that name their pipeline.
    for (const char* pipeline : {"high", "low"}) {
        const std::string line = std::string("table copied pipeline=") + pipeline + " ";
        std::size_t lines = 0;
        for (auto at = run.err.find(line); at != std::string::npos; at = run.err.find(line, at + 1)) ++lines;
        EXPECT_EQ(lines, 2u) << pipeline << "\n" << run.err;
    }

    EXPECT_EQ(tgt_value("SELECT string_agg(pipeline || ':' || source_table || ':' || phase, ',' "
                        "ORDER BY pipeline, source_table) "
                        "FROM tidemark.tables"),
              "high:\"hi\".\"t1\":copied,high:\"hi\".\"t2\":copied,low:\"lo\".\"t1\":copied,low:\"lo\".\"t2\":copied");
    // Every table of the higher priority was finished before the lower
    // priority's copy began: it waited for the connections.
    EXPECT_EQ(tgt_value("SELECT max(finished_at) FILTER (WHERE pipeline = 'high') <= "
                        "min(started_at) FILTER (WHERE pipeline = 'low') FROM tidemark.tables"),
              "t")
        << tgt_value(
               "SELECT string_agg(pipeline || ' ' || source_table || ' ' || started_at || ' ' || finished_at, "
               "E'\\n' ORDER BY started_at) FROM tidemark.tables");
    // Two pipelines, two states, two slots.
    EXPECT_EQ(tgt_value("SELECT string_agg(name || ':' || slot_name || ':' || phase, ',' ORDER BY name) "
                        "FROM tidemark.pipelines"),
              "high:" + slot() + "_hi:streaming,low:" + slot() + "_lo:streaming");

    // Both stream their own tables.
    src("INSERT INTO hi.t1 VALUES (100001, 'streamed'); UPDATE lo.t2 SET v = 'changed' WHERE id % 100 = 0; "
        "DELETE FROM hi.t2 WHERE id <= 10; INSERT INTO lo.t1 SELECT g, 'more' FROM generate_series(5001, 5100) g");
    auto again = sync_once(cfg);
    ASSERT_EQ(again.exit_code, 0) << describe(again);
    expect_converged();
    EXPECT_EQ(tgt_value("SELECT count(*) FROM lo.t1"), "4100");
}

TEST_F(Pipelines, OnATerminalOnePipelineDrawsBarsAndSeveralWriteLogLines) {
    for (const char* schema : {"hi", "lo"}) {
        src(std::string("CREATE SCHEMA ") + schema);
        src(std::string("CREATE TABLE ") + schema + ".t (id bigint PRIMARY KEY, v text)");
        src(std::string("INSERT INTO ") + schema + ".t SELECT g, md5(g::text) FROM generate_series(1, 2000) g");
    }
    // The agent's standard error on a terminal (script(1) gives it one).
    auto on_a_terminal = [&](const TempFile& cfg) {
        AgentProcess run({"-qec", agent_binary() + " sync -c " + cfg.path() + " --once", "/dev/null"},
                         "/usr/bin/script");
        auto code = run.wait();
        EXPECT_EQ(code, std::optional<int>(0)) << run.out() << run.err();
        return run.out();
    };
    const std::string kRedraw = "\x1b[";

    TempFile single("[source]\nconninfo = \"" + source().conninfo(db()) + "\"\nslot = \"" + slot() +
                    "_one\"\ninclude = [\"hi.*\"]\n\n[target]\nconninfo = \"" + target().conninfo(db()) +
                    "\"\n\n[sync]\nstartup_mode = \"initial\"\n");
    std::string drawn = on_a_terminal(single);
    EXPECT_NE(drawn.find(kRedraw), std::string::npos) << "one pipeline on a terminal draws bars:\n" << drawn;
    // What the operator sees at the end: every log line and the copy's
    // summary lines, in order, and no bar left behind.
    std::vector<std::string> screen = test::render_screen(drawn);
    std::string shown;
    for (const std::string& line : screen) shown += line + "\n";
    std::size_t at = 0;
    for (const char* expected : {"created the replication slot", "copied \"hi\".\"t\": 2000 rows",
                                 "initial copy: 1 tables", "initial copy done", "caught up with the source"}) {
        std::size_t found = shown.find(expected, at);
        ASSERT_NE(found, std::string::npos) << "missing or out of order on the screen: " << expected << "\n" << shown;
        at = found;
    }
    EXPECT_EQ(shown.find("total: "), std::string::npos) << "bars left on the screen:\n" << shown;

    // Two pipelines copying at once would redraw over each other's bars.
    TempFile both(sides("", "[sync]\nstartup_mode = \"initial\"\n\n[[pipelines]]\nname = \"hi\"\nslot = \"" + slot() +
                                "_hi\"\ninclude = [\"hi.*\"]\n\n[[pipelines]]\nname = \"lo\"\nslot = \"" + slot() +
                                "_lo\"\ninclude = [\"lo.*\"]\n"));
    tgt("DROP TABLE hi.t");
    std::string logged = on_a_terminal(both);
    EXPECT_EQ(logged.find(kRedraw), std::string::npos) << "several pipelines must not draw bars:\n" << logged;
    EXPECT_NE(logged.find("table copied pipeline=hi "), std::string::npos) << logged;
    EXPECT_NE(logged.find("table copied pipeline=lo "), std::string::npos) << logged;
}

TEST_F(Pipelines, ASecondAgentExitsNamingTheFirst) {
    src("CREATE TABLE items (id bigint PRIMARY KEY, v text)");
    src("INSERT INTO items SELECT g, 'x' FROM generate_series(1, 100) g");
    TempFile first_cfg(config("initial"));
    AgentProcess first = start_sync(first_cfg);
    ASSERT_TRUE(wait_until([&] { return target_count_is("items", "100"); })) << first.err();
    std::string holder = lock_holder_pid(slot());
    ASSERT_FALSE(holder.empty()) << "the running agent must hold its pipeline's lock";

    auto second = sync_once(config("initial", "on_busy = \"exit\""));
    EXPECT_EQ(second.exit_code, 1) << describe(second);
    EXPECT_NE(second.err.find("pipeline " + slot() + " is driven by another agent"), std::string::npos) << second.err;
    EXPECT_NE(second.err.find("pid " + holder), std::string::npos) << "the message must name the holder:\n"
                                                                   << second.err;
    EXPECT_NE(second.err.find("on_busy = \"wait\""), std::string::npos) << second.err;

    // A standby that is told to stop while it waits stops cleanly.
    TempFile standby_cfg(config("initial", "on_busy = \"wait\""));
    AgentProcess standby = start_sync(standby_cfg);
    ASSERT_TRUE(wait_until([&] { return standby.err().find("standing by") != std::string::npos; })) << standby.err();
    standby.signal(SIGTERM);
    auto code = standby.wait(std::chrono::seconds(60));
    ASSERT_TRUE(code.has_value()) << "a standby must stop on SIGTERM";
    EXPECT_EQ(*code, 0) << standby.err();
    EXPECT_EQ(lock_holder_pid(slot()), holder) << "the first agent keeps driving";

    first.signal(SIGTERM);
    ASSERT_EQ(first.wait(std::chrono::seconds(60)), 0) << first.err();
}

TEST_F(Pipelines, ARestartRightAfterAKillWaitsForTheDeadAgentsLockSession) {
    src("CREATE TABLE items (id bigint PRIMARY KEY, v text)");
    src("INSERT INTO items SELECT g, 'x' FROM generate_series(1, 100) g");
    // What a restart right after SIGKILL meets: the killed agent's lock
    // session, still there for a moment (here 2 seconds).
    AgentProcess dying = target_session("just killed", take_lock_sql() + "; SELECT pg_sleep(2)");
    ASSERT_TRUE(wait_until([&] { return sleeping("just killed"); }, 10000)) << dying.err();
    ASSERT_FALSE(lock_holder_pid(slot()).empty());
    auto run = sync_once(config("initial"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(run.err.find("driven by another agent"), std::string::npos) << run.err;
    expect_converged();
}

TEST_F(Pipelines, AStandbyTakesOverAfterTheFirstIsKilled) {
    src("CREATE TABLE items (id bigint PRIMARY KEY, v text, n int)");
    src("INSERT INTO items SELECT g, 'copied', 0 FROM generate_series(1, 1000) g");
    TempFile cfg(config("initial", "on_busy = \"wait\""));
    AgentProcess first = start_sync(cfg);
    ASSERT_TRUE(wait_until([&] { return target_count_is("items", "1000"); })) << first.err();
    AgentProcess second = start_sync(cfg);
    ASSERT_TRUE(wait_until([&] { return second.err().find("standing by") != std::string::npos; })) << second.err();
    EXPECT_NE(second.err().find("driven by another agent"), std::string::npos) << second.err();

    src("INSERT INTO items SELECT g, 'before the kill', 1 FROM generate_series(1001, 1100) g");
    ASSERT_TRUE(wait_until([&] { return target_count_is("items", "1100"); })) << first.err();
    first.kill_hard();
    // Written while nobody drives the pipeline: the standby must apply them
    // exactly once from where the first agent's progress stopped.
    src("INSERT INTO items SELECT g, 'during the switch', 2 FROM generate_series(1101, 1200) g");
    src("UPDATE items SET n = n + 10 WHERE id % 7 = 0");
    src("DELETE FROM items WHERE id BETWEEN 50 AND 59");
    ASSERT_TRUE(wait_until([&] { return second.err().find("took over pipeline") != std::string::npos; }))
        << second.err();
    src("INSERT INTO items SELECT g, 'after the switch', 3 FROM generate_series(1201, 1300) g");
    ASSERT_TRUE(wait_until([&] { return target_count_is("items", "1290"); })) << second.err();
    EXPECT_EQ(lock_holder_pid(slot()).empty(), false) << "the standby must hold the lock now";

    second.signal(SIGTERM);
    auto code = second.wait(std::chrono::seconds(60));
    ASSERT_TRUE(code.has_value()) << second.err();
    EXPECT_EQ(*code, 0) << second.err();
    expect_converged();
}

// Its lock's session ended (the target restarted, a DBA ended it): the
// agent stops driving at once, then takes the lock back when nobody else
// has, and goes on where it stopped.
TEST_F(Pipelines, AnAgentThatLosesItsLockStopsThenTakesItBackWhenFree) {
    TempFile cfg(config("initial", "on_busy = \"exit\""));
    AgentProcess agent;
    std::string holder = drive_items(cfg, agent);
    ASSERT_FALSE(HasFailure());
    ASSERT_FALSE(holder.empty()) << agent.err();
    tgt("SELECT pg_terminate_backend(" + holder + ")");
    ASSERT_TRUE(wait_until([&] {
        std::string now = lock_holder_pid(slot());
        return !now.empty() && now != holder;
    })) << "the agent must take its lock back:\n"
        << agent.err();
    EXPECT_NE(agent.err().find("lost the connection that holds the lock of pipeline " + slot()), std::string::npos)
        << agent.err();
    src("INSERT INTO items VALUES (101, 'after')");
    ASSERT_TRUE(wait_until([&] { return target_count_is("items", "101"); })) << agent.err();
    agent.signal(SIGTERM);
    auto code = agent.wait(std::chrono::seconds(60));
    ASSERT_TRUE(code.has_value()) << agent.err();
    EXPECT_EQ(*code, 0) << agent.err();
    expect_converged();
}

// ... but when another agent took the lock in between, on_busy = "exit"
// ends this one, as at a start.
TEST_F(Pipelines, AnAgentWhoseLockWasTakenMeanwhileExitsWithOnBusyExit) {
    TempFile cfg(config("initial", "on_busy = \"exit\""));
    AgentProcess agent;
    std::string holder = drive_items(cfg, agent);
    ASSERT_FALSE(HasFailure());
    ASSERT_FALSE(holder.empty()) << agent.err();
    // Queued behind the agent's lock, this session gets it the moment the
    // agent's lock session ends.
    AgentProcess other = target_session("queued", take_lock_sql() + "; SELECT pg_sleep(600)");
    ASSERT_TRUE(wait_until([&] {
        return tgt_value(
                   "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1952738667 AND "
                   "NOT granted") == "1";
    }));
    tgt("SELECT pg_terminate_backend(" + holder + ")");
    auto code = agent.wait(std::chrono::seconds(60));
    ASSERT_TRUE(code.has_value()) << "the agent must stop once another one holds its lock:\n" << agent.err();
    EXPECT_EQ(*code, 1) << agent.err();
    EXPECT_NE(agent.err().find("pipeline " + slot() + " is driven by another agent"), std::string::npos) << agent.err();
    tgt("SELECT pg_terminate_backend(" + lock_holder_pid(slot()) + ")");
    other.kill_hard();
    // Nothing was lost: the next run picks up where it stopped.
    src("INSERT INTO items VALUES (101, 'after')");
    ASSERT_TRUE(wait_until([&] { return lock_holder_pid(slot()).empty(); }));
    auto run = sync_once(config("initial"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    expect_converged();
}

TEST_F(Pipelines, TheNewDriverEndsSessionsThePreviousOneLeftBehind) {
    src("CREATE TABLE items (id bigint PRIMARY KEY, v text)");
    src("INSERT INTO items SELECT g, 'x' FROM generate_series(1, 100) g");
    auto first = sync_once(config("initial"));
    ASSERT_EQ(first.exit_code, 0) << describe(first);
    // What the apply session of an agent whose host died looks like to the
    // target: a session that still has the pipeline's origin bound.
    std::string origin = tgt_value("SELECT origin_name FROM tidemark.pipelines");
    AgentProcess zombie = target_session(
        "left behind", "SELECT pg_replication_origin_session_setup('" + origin + "'); SELECT pg_sleep(600)");
    ASSERT_TRUE(wait_until([&] { return sleeping("left behind"); })) << zombie.err();

    src("INSERT INTO items VALUES (101, 'after the crash')");
    auto run = sync_once(config("initial"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_NE(run.err.find("ended the target session of a previous driver of pipeline " + slot()), std::string::npos)
        << run.err;
    EXPECT_NE(run.err.find("application_name=\"left behind\""), std::string::npos) << run.err;
    auto code = zombie.wait(std::chrono::seconds(30));
    ASSERT_TRUE(code.has_value()) << "the session left behind must be gone";
    EXPECT_NE(*code, 0);
    expect_converged();
}

TEST_F(Pipelines, TheNewDriverEndsACopySessionThePreviousOneLeftBehind) {
    src("CREATE TABLE items (id bigint PRIMARY KEY, v text)");
    src("INSERT INTO items SELECT g, 'x' FROM generate_series(1, 2000) g");
    auto first = sync_once(config("initial"));
    ASSERT_EQ(first.exit_code, 0) << describe(first);
    // A copy job of an agent whose host died during a re-seed: a session
    // that still has the job's copy origin bound.
    const std::string copy_origin = tgt_value("SELECT origin_name FROM tidemark.pipelines") + "_copy1";
    ASSERT_EQ(tgt_value("SELECT count(*) FROM pg_replication_origin WHERE roname = '" + copy_origin + "'"), "1");
    AgentProcess zombie = target_session(
        "copy left behind", "SELECT pg_replication_origin_session_setup('" + copy_origin + "'); SELECT pg_sleep(600)");
    ASSERT_TRUE(wait_until([&] { return sleeping("copy left behind"); })) << zombie.err();

    // The re-seed's first job binds that origin: without the fence it
    // waits for it, then fails.
    src("UPDATE items SET v = 'changed' WHERE id <= 100");
    auto run = sync_once(config("initial"), {"--reseed", "public.items"});
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_NE(run.err.find("it still held replication origin " + copy_origin), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("application_name=\"copy left behind\""), std::string::npos) << run.err;
    auto code = zombie.wait(std::chrono::seconds(30));
    ASSERT_TRUE(code.has_value()) << "the copy session left behind must be gone";
    EXPECT_NE(*code, 0);
    expect_converged();
}

}  // namespace
}  // namespace tidemark::testing
