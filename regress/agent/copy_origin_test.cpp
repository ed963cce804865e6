// The Initial Data Package writes under replication origins: each copy job
// under `<pipeline origin>_copy<N>`, so the target knows copied rows for
// the pipeline's own (conflict detection) and a decoder on the target with
// origin = "none" skips them.  --reset drops those origins; a target
// without a free origin state says so and how to fix it.
#include "sync_fixture.hpp"

namespace tidemark::testing {
namespace {

using CopyOrigins = SyncTest;

TEST_F(CopyOrigins, CopiedRowsCarryTheJobsOriginsAndStreamedRowsThePipelines) {
    src("CREATE TABLE items (id int PRIMARY KEY, v text)");
    src("CREATE TABLE other (id int PRIMARY KEY, v text)");
    src("INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 5000) g");
    src("INSERT INTO other SELECT g, 'o' || g FROM generate_series(1, 5000) g");
    auto first = sync_once(config("initial", "chunk_rows = 500\n", "name = \"copytest\"\n"));
    ASSERT_EQ(first.exit_code, 0) << describe(first);
    const std::string origin = "tidemark_copytest";

    // Every copied row's transaction carries one of the copy origins (how
    // the chunks spread over the two jobs depends on timing).
    std::string copy_origins =
        "SELECT string_agg(DISTINCT r.roname, ',' ORDER BY r.roname) FROM " + std::string("%s") +
        " t "
        "LEFT JOIN pg_replication_origin r ON r.roident = (pg_xact_commit_timestamp_origin(t.xmin)).roident";
    auto origins_of = [&](const std::string& table) {
        std::string sql = copy_origins;
        sql.replace(sql.find("%s"), 2, table);
        return tgt_value(sql);
    };
    const std::string copied = origins_of("(SELECT xmin FROM items UNION ALL SELECT xmin FROM other)");
    EXPECT_TRUE(copied == origin + "_copy1" || copied == origin + "_copy2" ||
                copied == origin + "_copy1," + origin + "_copy2")
        << copied;
    EXPECT_EQ(tgt_value("SELECT count(*) FROM (SELECT xmin FROM items UNION ALL SELECT xmin FROM other) t WHERE "
                        "coalesce((pg_xact_commit_timestamp_origin(t.xmin)).roident, 0) = 0"),
              "0")
        << "copied rows without a replication origin";
    EXPECT_EQ(tgt_value("SELECT count(*) FROM pg_replication_origin WHERE roname ~ '^" + origin + "_copy[0-9]+$'"),
              "2");
    // The copy's jobs let go of their origins when done.
    EXPECT_EQ(tgt_value("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tidemark copy'"), "0");

    src("UPDATE items SET v = 'streamed' WHERE id <= 10");
    auto second = sync_once(config("initial", "chunk_rows = 500\n", "name = \"copytest\"\n"));
    ASSERT_EQ(second.exit_code, 0) << describe(second);
    EXPECT_EQ(origins_of("(SELECT xmin FROM items WHERE v = 'streamed')"), origin);
    expect_converged();

    // --reset forgets the copy origins with the pipeline's own; "latest"
    // then copies nothing, so nothing makes them again.
    auto reset = sync_once(config("latest", "", "name = \"copytest\"\n"), {"--reset"});
    ASSERT_EQ(reset.exit_code, 0) << describe(reset);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM pg_replication_origin WHERE roname ~ '^" + origin + "_copy[0-9]+$'"),
              "0");
    EXPECT_NE(reset.err.find("copy_origins_dropped"), std::string::npos) << reset.err;
}

TEST_F(CopyOrigins, ATargetWithoutFreeOriginStatesSaysHowToFixIt) {
    // One origin state on this target: the second copy job finds none.
    TestCluster tight("tight-target", {"max_replication_slots=1"});
    tight.create_database(db());
    src("CREATE TABLE items (id int PRIMARY KEY, v text)");
    src("INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, 4000) g");
    std::string text = "[source]\nconninfo = \"" + source().conninfo(db()) + "\"\nslot = \"" + slot() +
                       "\"\n[target]\nconninfo = \"" + tight.conninfo(db()) +
                       "\"\n[sync]\nstartup_mode = \"initial\"\ncopy_jobs = 2\nchunk_rows = 500\n";

    TempFile file(text);
    auto check = run_agent({"check-config", "-c", file.path()});
    EXPECT_EQ(check.exit_code, 1) << describe(check);
    EXPECT_NE(check.out.find("FAILED  target: replication origin states"), std::string::npos) << check.out;
    EXPECT_NE(check.out.find("max_replication_slots = 1"), std::string::npos) << check.out;

    auto run = sync_once(text);
    EXPECT_EQ(run.exit_code, 1) << describe(run);
    EXPECT_NE(run.err.find("no free replication origin state"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("max_replication_slots = 1"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("copy_jobs"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace tidemark::testing
