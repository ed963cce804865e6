// Correctness under faults, shown rather than claimed: the agent killed with
// SIGKILL during the copy and during streaming, either cluster restarted,
// the walsender terminated.  Each ends with the target equal to the source,
// row for row; pgbench_history, which has no key, would show any duplicate.
#include <csignal>
#include <cstdlib>
#include <functional>
#include <random>
#include <thread>

#include "sync_fixture.hpp"
#include "tcp_relay.hpp"

namespace tidemark::testing {
namespace {

class Faults : public SyncTest {
protected:
    // Runs the agent continuously while pgbench writes, applies `fault`,
    // writes more, and expects the same agent process to recover on its own
    // (reconnecting with backoff), catch up, stop cleanly on SIGTERM, and
    // leave the target equal to the source.
    void expect_recovery(const std::string& what, const std::function<void()>& fault) {
        pgbench({"-i", "-s", "1", "-q"});
        TempFile cfg(config("initial"));
        AgentProcess agent = start_sync(cfg);
        pgbench({"-c", "2", "-j", "2", "-t", "300", "-n"});
        fault();
        pgbench({"-c", "2", "-j", "2", "-t", "300", "-n"});
        std::string expected = src_value("SELECT count(*) FROM pgbench_history");
        // Streaming first: a fault that lands in the copy sends it round
        // again from a fresh snapshot, which holds every history row while
        // pgbench_accounts may still be on its way.
        bool caught_up = wait_until(
            [&] {
                try {
                    return tgt_value("SELECT count(*) FROM tidemark.pipelines WHERE phase = 'streaming'") == "1" &&
                           tgt_value("SELECT count(*) FROM pgbench_history") == expected;
                } catch (const std::exception&) {
                    return false;  // the target may be restarting, or the state not there yet
                }
            },
            180000);
        ASSERT_TRUE(caught_up) << "the agent did not catch up after " << what << ":\n" << agent.err();
        expect_clean_stop(agent);
        expect_converged();
    }

    // A config whose source connections go through `relay`, with
    // `conninfo_extra` appended to the source's conninfo.
    std::string config_through(const TcpRelay& relay, const std::string& source_extra,
                               const std::string& conninfo_extra = "") {
        std::string text = config("initial", "", source_extra);
        const std::string direct = "port=" + std::to_string(source().port());
        text.replace(text.find(direct), direct.size(), "port=" + std::to_string(relay.port()) + conninfo_extra);
        return text;
    }

    // Waits until the copy of the tables matching `like` has committed
    // rows and is not finished: a fault now lands inside the copy.
    void wait_inside_copy(const std::string& like, const AgentProcess& agent) {
        const std::string copying = "SELECT count(*) FROM tidemark.tables WHERE source_table LIKE '" + like +
                                    "' AND phase = 'copying' AND rows_copied > 0";
        ASSERT_TRUE(wait_until([&] {
            try {
                return tgt_value(copying) == "1";
            } catch (const std::exception&) {
                return false;  // the state schema does not exist yet
            }
        })) << agent.err();
    }
};

int kill_rounds() { return std::getenv("TIDEMARK_SOAK") ? 60 : 20; }

// A deterministic sequence of kill delays, different for each test, so a
// failure can be reproduced from the seed printed with it.
std::mt19937 seeded_rng(unsigned seed) {
    ::testing::Test::RecordProperty("kill_seed", static_cast<int>(seed));
    return std::mt19937(seed);
}

TEST_F(Faults, SigkillDuringTheCopy) {
    src("CREATE TABLE a (id bigint PRIMARY KEY, v text); CREATE TABLE b (id int PRIMARY KEY, w int);"
        "CREATE TABLE c (k text, v int)");  // c has no key: copied whole
    src("INSERT INTO a SELECT g, md5(g::text) FROM generate_series(1, 400000) g");
    src("INSERT INTO b SELECT g, g FROM generate_series(1, 100000) g");
    src("INSERT INTO c SELECT md5(g::text), g FROM generate_series(1, 50000) g");
    // Small chunks so a kill lands between chunk commits as well as inside.
    TempFile cfg(config("initial", "chunk_rows = 20000"));
    auto rng = seeded_rng(20261124);
    std::uniform_int_distribution<int> delay_ms(50, 1500);
    int finished_early = 0;
    for (int round = 0; round < kill_rounds(); ++round) {
        AgentProcess agent = start_sync(cfg, {"--once"});
        auto code = agent.wait(std::chrono::milliseconds(delay_ms(rng)));
        if (code) {
            ASSERT_EQ(*code, 0) << "round " << round << ":\n" << agent.err();
            ++finished_early;
            // Keep writing so later rounds have something to stream.
        } else {
            agent.kill_hard();
        }
        src("INSERT INTO a VALUES (" + std::to_string(1000000 + round) + ", 'written between kills')");
        // c has no key: a change applied on top of a copy that already held
        // it would show as a duplicate row, so this checks the IDP gate.
        src("INSERT INTO c VALUES ('between kills', " + std::to_string(round) + ")");
        src("UPDATE b SET w = w + 1 WHERE id = " + std::to_string(round + 1));
    }
    auto run = sync_once(config("initial", "chunk_rows = 20000"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_LT(finished_early, kill_rounds()) << "no kill landed inside the copy; the test proved nothing";
    expect_converged();
}

TEST_F(Faults, RecopyAfterAKillSkipsWhatTheNewSnapshotHolds) {
    // A keyless table cannot absorb a change applied twice: a row inserted
    // after the first snapshot, killed mid-copy, is in the second snapshot
    // AND in the stream; only the IDP gate keeps it from landing twice.
    src("CREATE TABLE k (v text, n int)");
    src("INSERT INTO k SELECT md5(g::text), g FROM generate_series(1, 3000000) g");
    TempFile cfg(config("initial", "chunk_rows = 100000"));
    AgentProcess agent = start_sync(cfg, {"--once"});
    ASSERT_NO_FATAL_FAILURE(wait_inside_copy("%k%", agent));
    src("INSERT INTO k VALUES ('after the first snapshot', -1), ('after the first snapshot', -2)");
    agent.kill_hard();
    ASSERT_EQ(tgt_value("SELECT phase FROM tidemark.tables WHERE source_table LIKE '%k%'"), "copying")
        << "the copy finished before the kill; the test proved nothing";
    auto run = sync_once(config("initial", "chunk_rows = 100000"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM k WHERE n < 0"), "2");
    src("INSERT INTO k VALUES ('after the restart', -3)");
    auto again = sync_once(config("initial"));
    ASSERT_EQ(again.exit_code, 0) << describe(again);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM k"), "3000003");
    expect_converged();
}

// The source crashing takes the exported snapshot with it: the same process
// copies the unfinished tables again from a fresh snapshot, and the rows
// written meanwhile arrive once.
TEST_F(Faults, SourceCrashDuringTheCopy) {
    src("CREATE TABLE big (id bigint PRIMARY KEY, v text); CREATE TABLE k (v text, n int)");
    src("INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 1500000) g");
    src("INSERT INTO k SELECT md5(g::text), g FROM generate_series(1, 1000) g");
    TempFile cfg(config("initial", "chunk_rows = 100000"));
    AgentProcess agent = start_sync(cfg, {"--once"});
    ASSERT_NO_FATAL_FAILURE(wait_inside_copy("%big%", agent));
    src("INSERT INTO k VALUES ('before the crash', -1); UPDATE big SET v = 'before the crash' WHERE id = 7");
    source().kill();
    source().start();
    src("INSERT INTO k VALUES ('after the crash', -2); DELETE FROM big WHERE id = 8");
    auto code = agent.wait(std::chrono::seconds(240));
    ASSERT_TRUE(code.has_value()) << "the agent did not finish after the source crashed:\n" << agent.err();
    ASSERT_EQ(*code, 0) << agent.err();
    EXPECT_NE(agent.err().find("copying the tables the interrupted copy had not finished"), std::string::npos)
        << "the crash did not land in the copy; the test proved nothing:\n"
        << agent.err();
    EXPECT_EQ(tgt_value("SELECT count(*) FROM k WHERE n < 0"), "2");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM big"), "1499999");
    expect_converged();
}

TEST_F(Faults, SigkillDuringStreaming) {
    pgbench({"-i", "-s", "1", "-q"});
    ASSERT_EQ(sync_once(config("initial")).exit_code, 0);
    TempFile cfg(config("initial", "batch_size = 500"));
    auto rng = seeded_rng(424242);
    std::uniform_int_distribution<int> delay_ms(100, 900);
    AgentProcess load = start_pgbench({"-c", "2", "-j", "2", "-T", "600", "-n"});
    for (int round = 0; round < kill_rounds(); ++round) {
        AgentProcess agent = start_sync(cfg);
        auto code = agent.wait(std::chrono::milliseconds(delay_ms(rng)));
        ASSERT_FALSE(code.has_value()) << "the agent exited on its own in round " << round << ":\n" << agent.err();
        agent.kill_hard();
    }
    load.signal(SIGINT);
    load.wait(std::chrono::seconds(30));
    load.kill_hard();
    auto run = sync_once(config("initial"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_NE(src_value("SELECT count(*) FROM pgbench_history"), "0");
    expect_converged();
}

TEST_F(Faults, SourceRestartMidStream) {
    expect_recovery("the source restarted", [this] { source().restart(); });
}

TEST_F(Faults, TargetRestartMidStream) {
    expect_recovery("the target restarted", [this] { target().restart(); });
}

TEST_F(Faults, SourceCrashMidStream) {
    expect_recovery("the source crashed", [this] {
        source().kill();
        source().start();
    });
}

// The apply session commits asynchronously: a target crash loses its last
// commits, and the source must still hold them (only flushed commits are
// confirmed) for the agent to apply them again.
TEST_F(Faults, TargetCrashMidStream) {
    expect_recovery("the target crashed", [this] {
        target().kill();
        target().start();
    });
}

TEST_F(Faults, ApplySessionTerminated) {
    expect_recovery("its apply session was terminated", [this] {
        const std::string apply_pid =
            "SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE application_name = 'tidemark apply'";
        ASSERT_TRUE(wait_until([&] { return tgt_value(apply_pid) != "0"; }, 120000));
        tgt("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tidemark apply'");
    });
}

TEST_F(Faults, WalsenderTerminated) {
    expect_recovery("its walsender was terminated", [this] {
        // One row whether or not the slot exists yet: the agent may still be
        // starting.
        std::string active_sql =
            "SELECT coalesce(max(active_pid), 0) FROM pg_replication_slots WHERE slot_name = '" + slot() + "'";
        ASSERT_TRUE(wait_until([&] { return src_value(active_sql) != "0"; }, 120000));
        src("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + slot() + "'");
    });
}

// A network path that stops carrying packets without closing (a firewall
// or load balancer that dropped the flow): the agent waited on the dead
// stream for as long as TCP kept it, hours, and the target fell behind
// without a word.  Now the stream is taken as lost after [source]
// receive_timeout, never less than three quarters of the walsender's own
// wal_sender_timeout (10 s here: the configured 2 s becomes 7 s).  The
// walsender of the silent connection is then still alive and would refuse
// the next START_REPLICATION ("slot is active"), so the agent ends it
// first.  The slot watch's query in flight on its own silent connection
// must not hold up the new session.
TEST_F(Faults, AStreamThatGoesSilentIsOpenedAgain) {
    src("CREATE TABLE t (id int PRIMARY KEY, v text)");
    TcpRelay relay(source().port());
    TempFile cfg(config_through(relay, "receive_timeout = \"2s\"", " options='-c wal_sender_timeout=10s'"));
    AgentProcess agent = start_sync(cfg);
    ASSERT_TRUE(wait_streaming()) << agent.err();
    src("INSERT INTO t VALUES (1, 'before')");
    ASSERT_TRUE(wait_until([&] { return tgt_value_is("SELECT count(*) FROM t", "1"); }, 60000)) << agent.err();

    relay.freeze();
    src("INSERT INTO t SELECT g, 'during' FROM generate_series(2, 100) g");
    ASSERT_TRUE(wait_until([&] { return tgt_value_is("SELECT count(*) FROM t", "100"); }, 60000))
        << "the agent did not resume after its stream went silent:\n"
        << agent.err();
    const std::string log = agent.err();
    EXPECT_NE(log.find("receive_timeout is raised to 7 s, three quarters of the source's wal_sender_timeout (10 s)"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("the source sent nothing for 7 s"), std::string::npos) << log;
    EXPECT_NE(log.find("ended the source session that pipeline " + slot() + "'s failed stream session left behind"),
              std::string::npos)
        << log;
    expect_clean_stop(agent);
    expect_converged();
}

// A shutting-down walsender waits until the client confirms everything it
// sent, asking for a reply again as soon as one arrives.  The applier
// looked at the target's flushed WAL only when no message had come for a
// while, so commits not yet flushed on the target when the ping-pong began
// were never confirmed: the source's fast shutdown hung until pg_ctl gave
// up.  Here the apply's asynchronous commit stays unflushed for seconds:
// nothing on the target commits synchronously, and its WAL writer flushes
// a partial page only every 5 s and has just flushed (woken by 20 kB of
// WAL).
TEST_F(Faults, TheSourceShutsDownWhileTheLastCommitIsNotYetFlushedOnTheTarget) {
    src("CREATE TABLE t (id int PRIMARY KEY)");
    tgt("ALTER SYSTEM SET wal_writer_delay = '5s'");
    tgt("ALTER SYSTEM SET synchronous_commit = off");
    tgt("SELECT pg_reload_conf()");
    TempFile cfg(config("initial"));
    AgentProcess agent = start_sync(cfg);
    ASSERT_TRUE(wait_streaming()) << agent.err();
    tgt("SELECT pg_logical_emit_message(true, 'test', repeat('x', 20000))");
    src("INSERT INTO t VALUES (1)");
    ASSERT_TRUE(wait_until([&] { return tgt_value_is("SELECT count(*) FROM t", "1"); }, 60000)) << agent.err();

    const auto started = std::chrono::steady_clock::now();
    source().stop();
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    ::testing::Test::RecordProperty("source_stop_ms", static_cast<int>(waited.count()));
    // Up to two wal_writer_delay for the target to flush, then one poll.
    EXPECT_LT(waited.count(), 30000) << agent.err();
    tgt("ALTER SYSTEM RESET wal_writer_delay");
    tgt("ALTER SYSTEM RESET synchronous_commit");
    tgt("SELECT pg_reload_conf()");
    source().start();
    src("INSERT INTO t VALUES (2)");
    ASSERT_TRUE(wait_until([&] { return tgt_value_is("SELECT count(*) FROM t", "2"); }, 60000)) << agent.err();
    expect_clean_stop(agent);
    expect_converged();
}

// The slot watch keeps its own session to the source and, when it cannot
// open one, tries again every ten seconds.  Its heartbeat timer ignored the
// failure: once a heartbeat was due, the watch tried again every 50 ms,
// twenty failed logins a second in the source's log for as long as the
// source refused them (a shutdown held by the stream, a database closed to
// new connections, a full max_connections).  Here the heartbeat is due
// every second and the source database refuses new sessions while the
// stream's walsender goes on.
TEST_F(Faults, ASourceThatRefusesNewSessionsIsNotHammeredByTheSlotWatch) {
    src("CREATE TABLE t (id int PRIMARY KEY)");
    TcpRelay relay(source().port());
    std::string text = config_through(relay, "");
    text += "\n[slot]\nheartbeat = \"1s\"\n";
    TempFile cfg(text);
    AgentProcess agent = start_sync(cfg);
    ASSERT_TRUE(wait_streaming()) << agent.err();
    src("INSERT INTO t VALUES (1)");
    ASSERT_TRUE(wait_until([&] { return tgt_value_is("SELECT count(*) FROM t", "1"); }, 60000)) << agent.err();

    source().exec("ALTER DATABASE " + db() + " ALLOW_CONNECTIONS false");
    source().exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tidemark' "
        "AND backend_type = 'client backend'");
    ASSERT_TRUE(wait_until(
        [&] { return agent.err().find("could not check the replication slot") != std::string::npos; }, 30000))
        << agent.err();
    const int before = relay.connections();
    std::this_thread::sleep_for(std::chrono::seconds(5));
    const int attempts = relay.connections() - before;
    source().exec("ALTER DATABASE " + db() + " ALLOW_CONNECTIONS true");
    EXPECT_LE(attempts, 1) << agent.err();
    ASSERT_TRUE(wait_until(
        [&] { return agent.err().find("the slot watch reaches the source again") != std::string::npos; }, 30000))
        << agent.err();
    src("INSERT INTO t VALUES (2)");
    ASSERT_TRUE(wait_until([&] { return tgt_value_is("SELECT count(*) FROM t", "2"); }, 60000)) << agent.err();
    expect_clean_stop(agent);
    expect_converged();
}

// A database idle_in_transaction_session_timeout meant for interactive
// users must not end the apply session while a batch waits for more source
// transactions with rows already written: here the second transaction's
// new column makes the applier write the first one's row before it adds
// the column, and the batch then waits a second for more.  The server
// ended the session after 300 ms (25P03; the agent saw a lost connection),
// and every retry the same way, for ever.
TEST_F(Faults, AnIdleInTransactionTimeoutOnTheTargetDoesNotEndTheApplySession) {
    src("CREATE TABLE t (id int PRIMARY KEY)");
    tgt("ALTER DATABASE " + db() + " SET idle_in_transaction_session_timeout = '300ms'");
    TempFile cfg(config("initial", "auto_add_columns = true\nmax_batch_latency = \"1s\""));
    AgentProcess agent = start_sync(cfg);
    ASSERT_TRUE(wait_streaming()) << agent.err();
    src("INSERT INTO t VALUES (1)");
    src("ALTER TABLE t ADD COLUMN w int; INSERT INTO t VALUES (2, 2)");
    ASSERT_TRUE(wait_until([&] { return tgt_value_is("SELECT count(*) FROM t WHERE id = 1 OR w = 2", "2"); }, 30000))
        << agent.err();
    EXPECT_EQ(agent.err().find("25P03"), std::string::npos) << agent.err();
    EXPECT_EQ(agent.err().find("retrying"), std::string::npos) << agent.err();
    expect_clean_stop(agent);
    expect_converged();
}

// What a DBA's work on the target does to the apply session: a lock held
// for a while (under a database lock_timeout and statement_timeout meant
// for interactive users), then a cancel of the waiting apply statement.
// The first must be waited out, the second retried: both stopped the agent
// with exit 1 before.
TEST_F(Faults, ALockTimeoutOrACancelOnTheTargetIsWaitedOutOrRetried) {
    src("CREATE TABLE t (id int PRIMARY KEY, v int)");
    src("INSERT INTO t VALUES (1, 0)");
    tgt("ALTER DATABASE " + db() + " SET lock_timeout = '300ms'");
    tgt("ALTER DATABASE " + db() + " SET statement_timeout = '2s'");
    TempFile cfg(config("initial"));
    AgentProcess agent = start_sync(cfg);
    ASSERT_TRUE(wait_until([&] { return tgt_value_is("SELECT count(*) FROM t", "1"); }, 60000)) << agent.err();
    const std::string apply_waits =
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tidemark apply' AND wait_event_type = 'Lock'";

    AgentProcess dba =
        target_session("dba", "SET statement_timeout = 0; BEGIN; LOCK TABLE t; SELECT pg_sleep(4); COMMIT");
    ASSERT_TRUE(wait_until([&] { return sleeping("dba"); })) << dba.err();
    src("UPDATE t SET v = 1");
    ASSERT_TRUE(wait_until([&] { return tgt_value_is(apply_waits, "1"); }, 30000)) << agent.err();
    ASSERT_TRUE(dba.wait(std::chrono::seconds(30)).has_value());
    ASSERT_TRUE(wait_until([&] { return tgt_value_is("SELECT v FROM t", "1"); }, 30000)) << agent.err();
    EXPECT_EQ(agent.err().find("55P03"), std::string::npos) << agent.err();
    EXPECT_EQ(agent.err().find("57014"), std::string::npos) << agent.err();

    AgentProcess again =
        target_session("dba again", "SET statement_timeout = 0; BEGIN; LOCK TABLE t; SELECT pg_sleep(4); COMMIT");
    ASSERT_TRUE(wait_until([&] { return sleeping("dba again"); })) << again.err();
    src("UPDATE t SET v = 2");
    ASSERT_TRUE(wait_until([&] { return tgt_value_is(apply_waits, "1"); }, 30000)) << agent.err();
    tgt("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'tidemark apply'");
    ASSERT_TRUE(wait_until([&] { return tgt_value_is("SELECT v FROM t", "2"); }, 60000)) << agent.err();
    const std::string log = agent.err();
    EXPECT_NE(log.find("retrying from the saved position"), std::string::npos) << log;
    EXPECT_NE(log.find("57014"), std::string::npos) << log;
    expect_clean_stop(agent);
    expect_converged();
}

}  // namespace
}  // namespace tidemark::testing
