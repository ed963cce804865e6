// Managing a pipeline's state, through the agent binary against real
// clusters: versions kept, rollback (and its refusal once the slot has
// moved on), export/reset/import round trips, a corrupted state stopped at
// start and repaired by auto_repair, a lost slot, and a state written by an
// older agent (layout 1) migrated mid-stream.
#include <csignal>
#include <string>
#include <vector>

#include "sync_fixture.hpp"

namespace tidemark::testing {
namespace {

class StateManagement : public SyncTest {
protected:
    static constexpr const char* kItems = "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, qty int);";

    // With the rollback window on: these tests roll back.
    std::string cfg(const std::string& state_section = "", const std::string& source_extra = "") const {
        return config("initial", "", source_extra, "", "[state]\nrollback_window = true\n" + state_section);
    }

    AgentRun state(const std::string& config_text, const std::vector<std::string>& args) const {
        TempFile file(config_text);
        std::vector<std::string> all{"state"};
        all.insert(all.end(), args.begin(), args.end());
        all.push_back("-c");
        all.push_back(file.path());
        return run_agent(all);
    }

    void insert(int from, int to) const {
        src("INSERT INTO items SELECT g, 'item ' || g, g % 5 FROM generate_series(" + std::to_string(from) + ", " +
            std::to_string(to) + ") g");
    }

    std::string pipeline_value(const std::string& column) const {
        return tgt_value("SELECT " + column + " FROM tidemark.pipelines");
    }
    std::string origin_progress() const {
        return tgt_value("SELECT pg_replication_origin_progress(origin_name, false) FROM tidemark.pipelines");
    }
    std::string slot_confirmed() const {
        return src_value("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + slot() + "'");
    }
};

TEST_F(StateManagement, VersionsAreTakenAtEachPhaseAndKeptUpToKeepVersions) {
    src(kItems);
    insert(1, 100);
    const std::string c = cfg("keep_versions = 3\n");
    sync_ok(c);
    // Created (copying), copy finished (streaming), stream session ended.
    EXPECT_EQ(tgt_value("SELECT string_agg(reason, ' | ' ORDER BY version) FROM tidemark.state_versions"),
              "pipeline created; copying | copy finished; streaming | stream session ended");
    for (int i = 0; i < 3; ++i) {
        insert(1000 + i * 10, 1009 + i * 10);
        sync_ok(c);
    }
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.state_versions"), "3");
    EXPECT_EQ(tgt_value("SELECT max(version) - min(version) FROM tidemark.state_versions"), "2");
    EXPECT_EQ(tgt_value("SELECT max(version) FROM tidemark.state_versions"), pipeline_value("state_version"));
    // The latest version holds the pipeline's rows and its origin's progress.
    EXPECT_EQ(tgt_value("SELECT origin_lsn FROM tidemark.state_versions ORDER BY version DESC LIMIT 1"),
              origin_progress());
    EXPECT_EQ(tgt_value("SELECT jsonb_array_length(tables) FROM tidemark.state_versions ORDER BY version DESC LIMIT 1"),
              "1");
    // The slot is confirmed no further than the oldest kept version: the
    // rollback window is real.
    EXPECT_EQ(src_value("SELECT '" + slot_confirmed() + "'::pg_lsn <= '" +
                        tgt_value("SELECT min(origin_lsn) FROM tidemark.state_versions") + "'::pg_lsn"),
              "t");
    expect_converged();

    auto history = state(c, {"history", "--json"});
    ASSERT_EQ(history.exit_code, 0) << describe(history);
    EXPECT_NE(history.out.find("\"reason\": \"stream session ended\""), std::string::npos) << history.out;
    EXPECT_NE(history.out.find("\"rollback_possible\": true"), std::string::npos) << history.out;
    auto show = state(c, {"show"});
    ASSERT_EQ(show.exit_code, 0) << describe(show);
    EXPECT_NE(show.out.find("phase           streaming"), std::string::npos) << show.out;
    EXPECT_NE(show.out.find("versions kept   3 (keep_versions = 3)"), std::string::npos) << show.out;
}

TEST_F(StateManagement, StreamingTakesVersionsAndTheSlotFollowsTheRollbackWindow) {
    src(kItems);
    TempFile file(cfg("keep_versions = 2\nversion_interval = \"1s\"\n"));
    AgentProcess agent = start_sync(file);
    ASSERT_TRUE(wait_until([&] { return agent.err().find("streaming changes") != std::string::npos; }, 30000))
        << agent.err();
    const std::string consistent = pipeline_value("consistent_point");
    int next = 1;
    auto write = [&] {
        insert(next, next);
        ++next;
    };
    // While changes keep coming, a version is taken about every second.
    std::string first;
    ASSERT_TRUE(wait_until(
        [&] {
            write();
            first = tgt_value("SELECT min(origin_lsn) FROM tidemark.state_versions WHERE reason = 'streaming'");
            return !first.empty();
        },
        30000, 100))
        << agent.err();
    // Only two versions are kept, no older than 2 seconds: the slot is
    // confirmed up to them as they move on, never past the oldest kept one.
    ASSERT_TRUE(wait_until(
        [&] {
            write();
            return src_value("SELECT '" + slot_confirmed() + "'::pg_lsn >= '" + first + "'::pg_lsn") == "t";
        },
        30000, 100))
        << "the slot stayed at " << slot_confirmed() << ", consistent point " << consistent << "\n"
        << agent.err();
    EXPECT_LE(std::stoi(tgt_value("SELECT count(*) FROM tidemark.state_versions")), 2);
    agent.signal(SIGTERM);
    auto code = agent.wait(std::chrono::seconds(60));
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 0) << agent.err();
    EXPECT_EQ(tgt_value("SELECT reason FROM tidemark.state_versions ORDER BY version DESC LIMIT 1"),
              "stream session ended");
    EXPECT_EQ(src_value("SELECT '" + slot_confirmed() + "'::pg_lsn <= '" +
                        tgt_value("SELECT min(origin_lsn) FROM tidemark.state_versions") + "'::pg_lsn"),
              "t");
    expect_converged();
}

TEST_F(StateManagement, RollbackReappliesWhatFollowedTheVersion) {
    src(kItems);
    insert(1, 100);
    const std::string c = cfg();
    sync_ok(c);
    const std::string version = pipeline_value("state_version");
    const std::string version_lsn =
        tgt_value("SELECT origin_lsn FROM tidemark.state_versions WHERE version = " + version);
    insert(101, 150);
    sync_ok(c);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM items"), "150");
    // An accident on the target: the rows the stream brought are gone.
    tgt("DELETE FROM items WHERE id > 100");

    auto rolled = state(c, {"rollback", version});
    ASSERT_EQ(rolled.exit_code, 0) << describe(rolled);
    EXPECT_NE(rolled.out.find("rolled pipeline"), std::string::npos) << rolled.out;
    EXPECT_EQ(origin_progress(), version_lsn);
    EXPECT_EQ(tgt_value("SELECT reason FROM tidemark.state_versions ORDER BY version DESC LIMIT 1"),
              "rollback to version " + version);

    sync_ok(c);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM items"), "150");
    expect_converged();
}

TEST_F(StateManagement, RollbackIsRefusedOnceTheSlotNoLongerRetainsTheWal) {
    src(kItems);
    insert(1, 10);
    const std::string c = cfg();
    sync_ok(c);
    const std::string version = pipeline_value("state_version");
    const std::string version_lsn =
        tgt_value("SELECT origin_lsn FROM tidemark.state_versions WHERE version = " + version);
    insert(11, 20);
    sync_ok(c);
    // The slot moves past the version (as a DBA or another consumer could).
    src("SELECT pg_replication_slot_advance('" + slot() + "', pg_current_wal_lsn())");
    const std::string before = pipeline_value("state_version");
    const std::string progress = origin_progress();

    auto refused = state(c, {"rollback", version});
    EXPECT_EQ(refused.exit_code, 1) << describe(refused);
    EXPECT_NE(refused.err.find("no longer retains"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("confirmed_flush_lsn is " + slot_confirmed()), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("restart_lsn"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find(version_lsn), std::string::npos) << refused.err;
    // Nothing changed.
    EXPECT_EQ(pipeline_value("state_version"), before);
    EXPECT_EQ(origin_progress(), progress);

    auto missing = state(c, {"rollback", "999"});
    EXPECT_EQ(missing.exit_code, 1) << describe(missing);
    EXPECT_NE(missing.err.find("has no version 999"), std::string::npos) << missing.err;
}

TEST_F(StateManagement, ExportResetImportContinuesExactly) {
    src(kItems);
    insert(1, 200);
    const std::string c = cfg();
    sync_ok(c);
    insert(201, 250);
    src("UPDATE items SET qty = qty + 10 WHERE id % 7 = 0");
    sync_ok(c);
    // The state knows the target table by its OID: it must keep it across
    // the export, or the stream would fill a new table named after the
    // source's.
    tgt("ALTER TABLE items RENAME TO stock");

    TempFile exported("", ".json");
    auto exp = state(c, {"export", exported.path()});
    ASSERT_EQ(exp.exit_code, 0) << describe(exp);

    auto unconfirmed = state(c, {"reset"});
    EXPECT_EQ(unconfirmed.exit_code, 2) << describe(unconfirmed);
    EXPECT_NE(unconfirmed.err.find("--yes"), std::string::npos) << unconfirmed.err;

    auto reset = state(c, {"reset", "--yes", "--keep-slot"});
    ASSERT_EQ(reset.exit_code, 0) << describe(reset);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.pipelines"), "0");
    EXPECT_EQ(src_value("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot() + "'"), "1");

    // Written while the target holds no state: the imported state must
    // still get these.
    insert(251, 300);
    src("DELETE FROM items WHERE id BETWEEN 10 AND 19");

    auto other = state(cfg("", "name = \"another\"\n"), {"import", exported.path()});
    EXPECT_EQ(other.exit_code, 1) << describe(other);
    EXPECT_NE(other.err.find("holds the state of pipeline " + slot()), std::string::npos) << other.err;

    auto imp = state(c, {"import", exported.path()});
    ASSERT_EQ(imp.exit_code, 0) << describe(imp);
    EXPECT_NE(imp.out.find("imported the state of pipeline"), std::string::npos) << imp.out;
    auto again = state(c, {"import", exported.path()});
    EXPECT_EQ(again.exit_code, 1) << describe(again);
    EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;

    auto valid = state(c, {"validate"});
    EXPECT_EQ(valid.exit_code, 0) << describe(valid);
    sync_ok(c);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM stock"), "290");
    EXPECT_EQ(tgt_value("SELECT to_regclass('items') IS NULL"), "t");
    tgt("ALTER TABLE stock RENAME TO items");
    expect_converged();

    // A plain reset drops the slot tidemark created, and says so.
    auto full = state(c, {"reset", "--yes"});
    ASSERT_EQ(full.exit_code, 0) << describe(full);
    EXPECT_NE(full.out.find("dropped"), std::string::npos) << full.out;
    EXPECT_EQ(src_value("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot() + "'"), "0");
    sync_ok(c);
    expect_converged();
}

TEST_F(StateManagement, ACorruptedStateStopsTheStartAndAutoRepairFixesIt) {
    src(kItems);
    insert(1, 100);
    sync_ok(cfg());
    insert(101, 120);
    sync_ok(cfg());

    tgt("UPDATE tidemark.tables SET high_water_mark = NULL");
    tgt("DELETE FROM tidemark.state_versions WHERE version = (SELECT state_version FROM tidemark.pipelines)");
    tgt("SELECT pg_replication_origin_advance(origin_name, '0/1') FROM tidemark.pipelines");
    insert(121, 140);

    auto stopped = sync_once(cfg());
    EXPECT_EQ(stopped.exit_code, 1) << describe(stopped);
    EXPECT_NE(stopped.err.find("inconsistent (3 problems)"), std::string::npos) << stopped.err;
    EXPECT_NE(stopped.err.find("without a high-water mark"), std::string::npos) << stopped.err;
    EXPECT_NE(stopped.err.find("missing from tidemark.state_versions"), std::string::npos) << stopped.err;
    EXPECT_NE(stopped.err.find("is behind replication slot"), std::string::npos) << stopped.err;
    EXPECT_NE(stopped.err.find("tidemark state validate"), std::string::npos) << stopped.err;
    EXPECT_NE(stopped.err.find("auto_repair"), std::string::npos) << stopped.err;
    EXPECT_EQ(tgt_value("SELECT count(*) FROM items"), "120") << "nothing may be applied on an invalid state";

    auto listed = state(cfg(), {"validate", "--json"});
    EXPECT_EQ(listed.exit_code, 1) << describe(listed);
    EXPECT_NE(listed.out.find("\"valid\": false"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("\"repairable\": true"), std::string::npos) << listed.out;

    auto repaired = sync_once(cfg("auto_repair = true\n"));
    ASSERT_EQ(repaired.exit_code, 0) << describe(repaired);
    EXPECT_NE(repaired.err.find("auto_repair: repaired"), std::string::npos) << repaired.err;
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.tables WHERE high_water_mark IS NULL"), "0");
    EXPECT_EQ(tgt_value("SELECT reason FROM tidemark.state_versions WHERE version < "
                        "(SELECT state_version FROM tidemark.pipelines) ORDER BY version DESC LIMIT 1"),
              "repaired");
    expect_converged();
    auto valid = state(cfg(), {"validate"});
    EXPECT_EQ(valid.exit_code, 0) << describe(valid);
    EXPECT_NE(valid.out.find("the state is valid"), std::string::npos) << valid.out;
}

TEST_F(StateManagement, ALostSlotStopsTheStartEvenWithAutoRepair) {
    src(kItems);
    insert(1, 10);
    sync_ok(cfg());
    src("SELECT pg_drop_replication_slot('" + slot() + "')");
    auto run = sync_once(cfg("auto_repair = true\n"));
    EXPECT_EQ(run.exit_code, 1) << describe(run);
    EXPECT_NE(run.err.find("does not exist on the source"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("lost-slot.md"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("cannot be repaired by tidemark"), std::string::npos) << run.err;
}

TEST_F(StateManagement, AStateOfAnOlderLayoutIsMigratedAndContinues) {
    src(kItems);
    insert(1, 100);
    sync_ok(cfg());
    insert(101, 130);
    src("UPDATE items SET name = 'changed' WHERE id <= 10");
    sync_ok(cfg());
    // What an agent of layout 1 left: only its tables, mid-stream (no
    // function either).
    tgt("DO $$ DECLARE t record; BEGIN "
        "FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'tidemark' AND tablename NOT IN "
        "('state_format', 'pipelines', 'tables', 'copy_chunks', 'table_stats', 'dead_letters') LOOP "
        "EXECUTE format('DROP TABLE tidemark.%I CASCADE', t.tablename); END LOOP; END $$");
    tgt("DROP FUNCTION tidemark.record_local_delete()");
    tgt("UPDATE tidemark.state_format SET version = 1");
    const std::string state_version = pipeline_value("state_version");

    insert(131, 160);
    src("DELETE FROM items WHERE id BETWEEN 50 AND 59");
    auto run = sync_once(cfg());
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_NE(run.err.find("migrated tidemark's state schema"), std::string::npos) << run.err;
    EXPECT_EQ(tgt_value("SELECT version FROM tidemark.state_format"), "4");
    EXPECT_EQ(tgt_value("SELECT reason FROM tidemark.state_versions WHERE version = " + state_version),
              "state migrated to layout 3");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM items"), "150");
    expect_converged();
    auto valid = state(cfg(), {"validate"});
    EXPECT_EQ(valid.exit_code, 0) << describe(valid);
}

}  // namespace
}  // namespace tidemark::testing
