// The backfill-to-CDC handoff: each startup mode, resuming from existing
// state, --reset, and every invalid combination refused before anything is
// applied.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <optional>
#include <string>

#include "sync_fixture.hpp"

namespace tidemark::testing {
namespace {

using StartupModes = SyncTest;

const char* kItems =
    "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, qty int, price numeric(10,2));";

TEST_F(StartupModes, InitialCopiesThenContinues) {
    src(kItems);
    src("INSERT INTO items SELECT g, 'item ' || g, g % 7, g * 1.5 FROM generate_series(1, 5000) g");
    auto first = sync_once(config("initial"));
    ASSERT_EQ(first.exit_code, 0) << describe(first);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM items"), "5000");
    expect_converged();

    // Changes after the snapshot arrive through the stream, exactly once.
    src("INSERT INTO items SELECT g, 'late ' || g, 1, 2 FROM generate_series(5001, 5100) g");
    src("UPDATE items SET qty = qty + 100 WHERE id % 10 = 0");
    src("DELETE FROM items WHERE id BETWEEN 100 AND 199");
    auto second = sync_once(config("initial"));
    ASSERT_EQ(second.exit_code, 0) << describe(second);
    EXPECT_NE(second.err.find("resum"), std::string::npos) << "a second run must say it resumes:\n" << second.err;
    EXPECT_EQ(tgt_value("SELECT count(*) FROM items"), "5000");
    expect_converged();
}

TEST_F(StartupModes, InitialHandsOffWithoutGapWhileWritesContinue) {
    // Rows written while the copy runs are either in the snapshot or in the
    // stream, never both and never neither.
    src(kItems);
    src("INSERT INTO items SELECT g, 'item ' || g, 0, 0 FROM generate_series(1, 200000) g");
    TempFile cfg(config("initial"));
    AgentProcess agent = start_sync(cfg);
    for (int i = 0; i < 50; ++i)
        src("INSERT INTO items VALUES (" + std::to_string(1000000 + i) + ", 'during', 1, 1); UPDATE items SET qty = qty + 1 WHERE id = " +
            std::to_string(1 + i * 997));
    ASSERT_TRUE(wait_until([&] {
        try {
            return tgt_value("SELECT count(*) FROM items") == "200050";
        } catch (...) {
            return false;
        }
    })) << agent.err();
    agent.signal(SIGTERM);
    auto code = agent.wait(std::chrono::seconds(60));
    ASSERT_TRUE(code.has_value()) << "the agent must stop on SIGTERM";
    EXPECT_EQ(*code, 0) << agent.err();
    auto run = sync_once(config("initial"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    expect_converged();
}

TEST_F(StartupModes, InitialCopiesAgainFromAFreshSnapshotWhatChangedAfterTheExport) {
    // A table rewritten after the snapshot was exported has files whose rows
    // that snapshot cannot see: copied in it, the table came out empty, and
    // the stream does not carry a rewrite.  A column dropped meanwhile made
    // the copy fail instead.
    src("CREATE TABLE rewritten (id bigint PRIMARY KEY, v int)");
    src("INSERT INTO rewritten SELECT g, g FROM generate_series(1, 1000) g");
    src("CREATE TABLE narrowed (id bigint PRIMARY KEY, v int, gone text)");
    src("INSERT INTO narrowed SELECT g, g, 'x' FROM generate_series(1, 500) g");
    tgt("CREATE TABLE rewritten (id bigint PRIMARY KEY, v int)");
    // The agent clears the target tables after the export and before the
    // copy reads anything: holding one of them there opens the window.
    AgentProcess holder =
        target_session("holds the copy", "BEGIN; LOCK TABLE rewritten IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600)");
    ASSERT_TRUE(wait_until([&] { return sleeping("holds the copy"); })) << holder.err();
    TempFile cfg(config("initial"));
    AgentProcess agent = start_sync(cfg, {"--once"});
    ASSERT_TRUE(wait_until([&] {
        return tgt_value("SELECT count(*) FROM pg_locks WHERE relation = 'rewritten'::regclass AND NOT granted") == "1";
    })) << agent.err();
    ASSERT_EQ(src_value("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot() + "'"), "1");
    src("ALTER TABLE rewritten ALTER COLUMN v TYPE int USING v + 0");  // a rewrite that keeps the values
    src("ALTER TABLE narrowed DROP COLUMN gone");
    src("INSERT INTO rewritten VALUES (1001, 1001); INSERT INTO narrowed VALUES (501, 501)");
    tgt("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'holds the copy'");
    holder.wait(std::chrono::seconds(10));

    auto code = agent.wait(std::chrono::seconds(120));
    ASSERT_TRUE(code.has_value()) << agent.err();
    ASSERT_EQ(*code, 0) << agent.err();
    EXPECT_NE(agent.err().find("the copy needs a fresh snapshot"), std::string::npos) << agent.err();
    EXPECT_NE(agent.err().find("was rewritten or truncated"), std::string::npos) << agent.err();
    EXPECT_NE(agent.err().find("copying the tables the interrupted copy had not finished"), std::string::npos)
        << agent.err();
    EXPECT_EQ(tgt_value("SELECT count(*) FROM rewritten"), "1001");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM narrowed"), "501");
    expect_converged();
}

TEST_F(StartupModes, ACopyJobHoldsTheLockOfOneTableAtATime) {
    // DDL on a table already copied must not wait for the rest of the copy
    // (nor every query queued behind that DDL).  Sampled while a job runs
    // a COPY: the planning before it reads every table in one transaction.
    for (int i = 0; i < 30; ++i)
        src("CREATE TABLE t" + std::to_string(i) + " (id bigint PRIMARY KEY, v text); INSERT INTO t" +
            std::to_string(i) + " SELECT g, md5(g::text) FROM generate_series(1, 20000) g");
    TempFile cfg(config("initial"));
    AgentProcess agent = start_sync(cfg, {"--once"});
    const std::string locked_by_copy =
        "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.application_name = 'tidemark copy' AND a.query LIKE 'COPY%' "
        "AND c.relkind = 'r' "
        "AND c.relnamespace = 'public'::regnamespace GROUP BY l.pid) per_session";
    int most = 0;
    int samples_inside = 0;
    std::optional<int> code;
    while (!(code = agent.wait(std::chrono::milliseconds(5)))) {
        int n = std::stoi(src_value(locked_by_copy));
        most = std::max(most, n);
        if (n > 0) ++samples_inside;
    }
    ASSERT_EQ(*code, 0) << agent.err();
    EXPECT_GT(samples_inside, 2) << "too few samples landed in the copy to prove anything";
    EXPECT_EQ(most, 1) << "a copy session held the locks of several tables at once";
    expect_converged();
}

TEST_F(StartupModes, LatestDoesNotBackfill) {
    src(kItems);
    src("INSERT INTO items SELECT g, 'old ' || g, 1, 1 FROM generate_series(1, 100) g");
    auto first = sync_once(config("latest"));
    ASSERT_EQ(first.exit_code, 0) << describe(first);
    src("INSERT INTO items VALUES (1001, 'new', 1, 1), (1002, 'new', 2, 2)");
    src("UPDATE items SET name = 'renamed' WHERE id = 1001");
    auto second = sync_once(config("latest"));
    ASSERT_EQ(second.exit_code, 0) << describe(second);
    // Only the rows written after the slot was created.
    EXPECT_EQ(tgt_value("SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM items"), "1001:renamed,1002:new");
}

TEST_F(StartupModes, SpecificStartsAtTheGivenLsn) {
    src(kItems);
    src("SELECT pg_create_logical_replication_slot('" + slot() + "', 'tidemark')");
    src("INSERT INTO items VALUES (1, 'before', 1, 1)");
    std::string lsn = src_value("SELECT pg_current_wal_lsn()");
    src("INSERT INTO items VALUES (2, 'after', 2, 2)");
    tgt(kItems);
    auto run = sync_once(config("specific", "start_lsn = \"" + lsn + "\""));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(tgt_value("SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM items"), "2:after");
}

TEST_F(StartupModes, SpecificRefusesAMissingSlot) {
    auto run = sync_once(config("specific", "start_lsn = \"0/1000000\""));
    EXPECT_EQ(run.exit_code, 1) << describe(run);
    EXPECT_NE(run.err.find(slot()), std::string::npos) << "the error must name the slot:\n" << run.err;
    EXPECT_NE(run.err.find("does not exist"), std::string::npos) << run.err;
    // Nothing was recorded on the target.
    if (tgt_value("SELECT to_regclass('tidemark.pipelines') IS NOT NULL") == "t") {
        EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.pipelines"), "0");
    }
}

TEST_F(StartupModes, SpecificRefusesAnLsnBehindTheSlot) {
    src(kItems);
    src("SELECT pg_create_logical_replication_slot('" + slot() + "', 'tidemark')");
    src("INSERT INTO items VALUES (1, 'x', 1, 1)");
    // Move the slot past the insert, then ask to start before it.
    src("SELECT count(*) FROM pg_logical_slot_get_binary_changes('" + slot() + "', NULL, NULL)");
    auto run = sync_once(config("specific", "start_lsn = \"0/100\""));
    EXPECT_EQ(run.exit_code, 1) << describe(run);
    EXPECT_NE(run.err.find("0/100"), std::string::npos) << "the error must name the LSN:\n" << run.err;
    EXPECT_NE(run.err.find("confirmed"), std::string::npos) << run.err;
}

TEST_F(StartupModes, SpecificRefusesASlotWhoseWalIsGone) {
    src("SELECT pg_create_logical_replication_slot('" + slot() + "', 'tidemark')");
    std::string lsn = src_value("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + slot() + "'");
    // Let the server throw the slot's WAL away, as it does in production
    // when max_slot_wal_keep_size is exceeded.
    source().exec("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'");
    source().exec("SELECT pg_reload_conf()");
    struct Restore {
        const TestCluster& c;
        ~Restore() {
            c.exec("ALTER SYSTEM RESET max_slot_wal_keep_size");
            c.exec("SELECT pg_reload_conf()");
        }
    } restore{source()};
    src("CREATE TABLE filler (x text)");
    ASSERT_TRUE(wait_until([&] {
        src("INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, 20000); SELECT pg_switch_wal(); CHECKPOINT");
        return src_value("SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + slot() + "'") == "lost";
    }, 120000, 10));
    auto run = sync_once(config("specific", "start_lsn = \"" + lsn + "\""));
    EXPECT_EQ(run.exit_code, 1) << describe(run);
    EXPECT_NE(run.err.find(slot()), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("lost"), std::string::npos) << "the error must say the slot's WAL is gone:\n" << run.err;
}

TEST_F(StartupModes, InitialOnlyCopiesAndDropsTheSlot) {
    src(kItems);
    src("INSERT INTO items SELECT g, 'item', 1, 1 FROM generate_series(1, 1000) g");
    auto run = sync_once(config("initial_only"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM items"), "1000");
    EXPECT_EQ(src_value("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot() + "'"), "0");
    expect_converged();
}

TEST_F(StartupModes, EmptySourceFinishesWithAValidHighWaterMark) {
    src(kItems);
    auto run = sync_once(config("initial"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM items"), "0");
    EXPECT_EQ(tgt_value("SELECT consistent_point IS NOT NULL FROM tidemark.pipelines"), "t");
    src("INSERT INTO items VALUES (7, 'first', 1, 1)");
    auto again = sync_once(config("initial"));
    ASSERT_EQ(again.exit_code, 0) << describe(again);
    expect_converged();
}

TEST_F(StartupModes, IncludePatternsThatSelectNoTableAreNamed) {
    // A typo, or capitals without quotes (public.Orders means public.orders),
    // would otherwise copy and stream nothing of the table without a word.
    src("CREATE TABLE \"Orders\" (id int PRIMARY KEY); CREATE TABLE items (id int PRIMARY KEY)");
    src("INSERT INTO items VALUES (1)");
    const std::string cfg = config("initial", "", "include = [\"public.Orders\", \"public.items\", \"public.nosuch\"]");
    const std::string expected =
        "include patterns that select no table: \"public.Orders\" (did you mean \"public\".\"Orders\"? names with "
        "capitals need double quotes in the pattern); \"public.nosuch\"";
    TempFile file(cfg);
    auto check = run_agent({"check-config", "-c", file.path()});
    EXPECT_EQ(check.exit_code, 0) << describe(check);
    EXPECT_NE(check.out.find("warning source: tables: 1 table selected; " + expected), std::string::npos) << check.out;
    auto run = sync_ok(cfg);
    EXPECT_NE(run.err.find(expected), std::string::npos) << run.err;
    EXPECT_NE(run.out.find("include patterns that select no table"), std::string::npos) << "in the report:\n"
                                                                                        << run.out;
    EXPECT_EQ(tgt_value("SELECT count(*) FROM items"), "1");

    auto quiet = run_agent({"check-config", "-c", TempFile(config("initial")).path()});
    EXPECT_NE(quiet.out.find("ok      source: tables: 2 tables selected"), std::string::npos) << quiet.out;
}

TEST_F(StartupModes, CopyMaxRateKeepsTheCopyToTheRate) {
    // About 3.5 MB of rows: a tenth of a second unthrottled on a loopback.
    src("CREATE TABLE wide (id int PRIMARY KEY, v text); "
        "INSERT INTO wide SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 30000) g");
    auto started = std::chrono::steady_clock::now();
    auto run = sync_ok(config("initial_only", "copy_max_rate = \"1MB\""));
    auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_NE(run.err.find("max_rate=\"1048576 bytes/s\""), std::string::npos) << run.err;
    EXPECT_GE(elapsed, std::chrono::milliseconds(2500)) << "the copy ran faster than 1MB per second";
    expect_converged();
}

TEST_F(StartupModes, AStreamWithoutEndKeepsTheTargetsSequencesCurrent) {
    // A target promoted while the agent streams (a switchover, or a source
    // that is gone) must not hand out ids its rows already hold.
    src("CREATE TABLE orders (id serial PRIMARY KEY, v text); CREATE SEQUENCE invoice_no START 1000");
    src("INSERT INTO orders (v) VALUES ('a'); SELECT nextval('invoice_no')");
    TempFile cfg(config("initial", "sequence_interval = \"1s\""));
    AgentProcess agent = start_sync(cfg);
    auto value = [](const std::string& sequence) { return "SELECT last_value FROM " + sequence; };
    ASSERT_TRUE(wait_until([&] { return tgt_value_is("SELECT phase FROM tidemark.pipelines", "streaming"); }))
        << agent.err();
    src("INSERT INTO orders (v) SELECT 'b' FROM generate_series(1, 50); SELECT setval('invoice_no', 5000)");
    bool followed = wait_until(
        [&] {
            return tgt_value(value("orders_id_seq")) == "51" && tgt_value(value("invoice_no")) == "5000";
        },
        60000, 200);
    agent.signal(SIGTERM);
    auto code = agent.wait(std::chrono::seconds(60));
    ASSERT_TRUE(followed) << "target orders_id_seq " << tgt_value(value("orders_id_seq")) << ", invoice_no "
                          << tgt_value(value("invoice_no")) << "\n"
                          << agent.err();
    ASSERT_TRUE(code.has_value()) << "the agent did not stop on SIGTERM";
    EXPECT_EQ(*code, 0) << agent.err();
    tgt("INSERT INTO orders (v) VALUES ('written on the promoted target')");
    EXPECT_EQ(tgt_value("SELECT max(id) FROM orders"), "52");
}

TEST_F(StartupModes, ASlotWaitingForOpenTransactionsSaysWhichOnes) {
    // The slot's creation waits for every transaction with an xid to end;
    // the server says nothing about it, however long that takes.
    src(kItems);
    AgentProcess report({"-h", "127.0.0.1", "-p", std::to_string(source().port()), "-U", "postgres", "-d", db(), "-c",
                         "SET application_name = 'nightly report'; INSERT INTO items VALUES (1, 'held', 1, 1); "
                         "SELECT pg_sleep(8)"},
                        std::string(TIDEMARK_PG_BINDIR) + "/psql");
    ASSERT_TRUE(wait_until([&] {
        return src_value("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'nightly report' AND "
                         "wait_event = 'PgSleep'") == "1";
    }));
    auto run = sync_ok(config("initial"));
    EXPECT_NE(run.err.find("creating the replication slot waits for the transactions open on the source to end"),
              std::string::npos)
        << run.err;
    EXPECT_NE(run.err.find("application nightly report, database " + db()), std::string::npos) << run.err;
    report.wait(std::chrono::seconds(30));
    expect_converged();
}

TEST_F(StartupModes, ResetStartsOver) {
    src(kItems);
    src("INSERT INTO items VALUES (1, 'a', 1, 1)");
    ASSERT_EQ(sync_once(config("initial")).exit_code, 0);
    tgt("DELETE FROM items");  // the target drifted; a DBA re-seeds it
    auto run = sync_once(config("initial"), {"--reset"});
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_NE(run.err.find("reset"), std::string::npos) << "--reset must say what it dropped:\n" << run.err;
    expect_converged();
}

// A slot created by a start that then could not record its pipeline on the
// target is dropped again: left behind, it would stop every later start.
TEST_F(StartupModes, AStartThatCannotRecordItsPipelineDropsTheSlotItCreated) {
    src(kItems);
    src("INSERT INTO items VALUES (1, 'a', 1, 1)");
    ASSERT_EQ(sync_once(config("initial")).exit_code, 0);
    tgt("CREATE FUNCTION refuse_pipeline() RETURNS trigger LANGUAGE plpgsql AS "
        "$$BEGIN RAISE EXCEPTION 'refused by the test'; END$$");
    tgt("CREATE TRIGGER refuse BEFORE INSERT ON tidemark.pipelines FOR EACH ROW EXECUTE FUNCTION refuse_pipeline()");
    auto refused = sync_once(config("initial"), {"--reset"});
    EXPECT_EQ(refused.exit_code, 1) << describe(refused);
    EXPECT_NE(refused.err.find("refused by the test"), std::string::npos) << describe(refused);
    EXPECT_EQ(src_value("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot() + "'"), "0")
        << describe(refused);
    tgt("DROP TRIGGER refuse ON tidemark.pipelines; DROP FUNCTION refuse_pipeline()");
    src("INSERT INTO items VALUES (2, 'b', 2, 2)");
    auto run = sync_once(config("initial"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    expect_converged();
}

struct InvalidConfig {
    const char* name;
    const char* sync_section;
    const char* expected_text;
};

class InvalidStartup : public SyncTest, public ::testing::WithParamInterface<InvalidConfig> {};

TEST_P(InvalidStartup, IsAConfigErrorNamingTheValidValues) {
    const auto& p = GetParam();
    std::string text = "[source]\nconninfo = \"" + source().conninfo(db()) + "\"\nslot = \"" + slot() +
                       "\"\n[target]\nconninfo = \"" + target().conninfo(db()) + "\"\n[sync]\n" + p.sync_section;
    auto run = sync_once(text);
    EXPECT_EQ(run.exit_code, 2) << describe(run);
    EXPECT_NE(run.err.find(p.expected_text), std::string::npos) << describe(run);
    EXPECT_EQ(src_value("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot() + "'"), "0")
        << "a refused config must not create a slot";
}

INSTANTIATE_TEST_SUITE_P(
    Modes, InvalidStartup,
    ::testing::Values(
        InvalidConfig{"unknown_mode", "startup_mode = \"earliest\"\n", "initial, latest, specific, initial_only"},
        InvalidConfig{"lsn_without_specific", "startup_mode = \"latest\"\nstart_lsn = \"0/16B3748\"\n", "start_lsn"},
        InvalidConfig{"specific_without_lsn", "startup_mode = \"specific\"\n", "start_lsn"},
        InvalidConfig{"bad_lsn", "startup_mode = \"specific\"\nstart_lsn = \"sixteen\"\n", "start_lsn"},
        InvalidConfig{"unknown_key", "startup_mode = \"initial\"\ncopy_job = 3\n", "copy_job"}),
    [](const ::testing::TestParamInfo<InvalidConfig>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace tidemark::testing
