// `tidemark sync --reseed TABLE`: one table copied again while the
// pipeline keeps its slot and its position; the stream skips what the new
// copy holds and applies the rest, so a table without a key shows any
// change applied twice.  A re-seed cut short is finished by the next start.
#include "sync_fixture.hpp"

namespace tidemark::testing {
namespace {

using Reseed = SyncTest;

TEST_F(Reseed, CopiesOneTableAgainWithoutGapOrDuplicate) {
    src("CREATE TABLE a (id bigint PRIMARY KEY, v text)");
    src("CREATE TABLE k (v text, n int)");
    src("CREATE TABLE n (v text, n int)");
    src("INSERT INTO a SELECT g, 'first ' || g FROM generate_series(1, 3000) g");
    src("INSERT INTO k SELECT 'first', g FROM generate_series(1, 500) g");
    src("INSERT INTO n SELECT 'first', g FROM generate_series(1, 50) g");
    auto first = sync_once(config("initial"));
    ASSERT_EQ(first.exit_code, 0) << describe(first);
    std::string slot_before =
        src_value("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + slot() + "'");
    std::string mark_before = tgt_value("SELECT high_water_mark FROM tidemark.tables WHERE source_table LIKE '%\"a\"'");

    // The target's copy of a drifted (someone wrote to it by hand), and
    // changes to both tables wait in the slot, older than the new copy.
    tgt("DELETE FROM a WHERE id % 3 = 0");
    tgt("UPDATE a SET v = 'drifted' WHERE id % 5 = 0");
    src("INSERT INTO a SELECT g, 'waiting ' || g FROM generate_series(3001, 3100) g");
    src("UPDATE a SET v = 'updated' WHERE id % 7 = 0");
    src("DELETE FROM a WHERE id BETWEEN 10 AND 19");
    // k and n have no key: a change applied on top of a copy that holds
    // it already would show twice.
    src("INSERT INTO k SELECT 'waiting', g FROM generate_series(501, 600) g");
    src("INSERT INTO n SELECT 'waiting', g FROM generate_series(51, 60) g");

    auto run = sync_once(config("initial"), {"--reseed", "public.a", "--reseed", "public.k"});
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_NE(run.err.find("re-seeding"), std::string::npos) << run.err;
    expect_converged();
    EXPECT_EQ(tgt_value("SELECT count(*) FROM k"), "600");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM n"), "60");
    // a has a new high-water mark; the pipeline kept its slot.
    EXPECT_EQ(tgt_value("SELECT high_water_mark > '" + mark_before +
                        "'::pg_lsn FROM tidemark.tables WHERE source_table LIKE '%\"a\"'"),
              "t");
    EXPECT_EQ(tgt_value("SELECT phase FROM tidemark.pipelines"), "streaming");
    EXPECT_EQ(src_value("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot() +
                        "' AND confirmed_flush_lsn >= '" + slot_before + "'::pg_lsn"),
              "1");
    EXPECT_EQ(src_value("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'tidemark_reseed%'"), "0");

    // And it streams on.
    src("INSERT INTO a VALUES (5000, 'after'); INSERT INTO k VALUES ('after', 601)");
    auto again = sync_once(config("initial"));
    ASSERT_EQ(again.exit_code, 0) << describe(again);
    expect_converged();
}

TEST_F(Reseed, AnInterruptedReseedIsFinishedAtTheNextStart) {
    src("CREATE TABLE a (id bigint PRIMARY KEY, v text)");
    src("INSERT INTO a SELECT g, 'x' FROM generate_series(1, 1000) g");
    auto first = sync_once(config("initial"));
    ASSERT_EQ(first.exit_code, 0) << describe(first);
    // What a re-seed killed mid-copy leaves: the table not 'copied', its
    // target copy partial.
    tgt("UPDATE tidemark.tables SET phase = 'copying' WHERE source_table LIKE '%\"a\"'");
    tgt("DELETE FROM a WHERE id > 400");
    src("INSERT INTO a VALUES (1001, 'later')");
    auto run = sync_once(config("initial"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_NE(run.err.find("a re-seed of this table did not finish"), std::string::npos) << run.err;
    EXPECT_EQ(tgt_value("SELECT phase FROM tidemark.tables WHERE source_table LIKE '%\"a\"'"), "copied");
    expect_converged();
}

TEST_F(Reseed, RefusesATableThePipelineDoesNotStream) {
    src("CREATE TABLE a (id bigint PRIMARY KEY)");
    ASSERT_EQ(sync_once(config("initial")).exit_code, 0);
    auto missing = sync_once(config("initial"), {"--reseed", "public.nosuch"});
    EXPECT_EQ(missing.exit_code, 1) << describe(missing);
    EXPECT_NE(missing.err.find("--reseed public.nosuch: pipeline " + slot() + " streams no such table"),
              std::string::npos)
        << missing.err;
    auto outside = sync_once(config("initial", "", "include = [\"public.*\"]"), {"--reseed", "other.a"});
    EXPECT_EQ(outside.exit_code, 2) << describe(outside);
    EXPECT_NE(outside.err.find("--reseed other.a: no pipeline streams such a table"), std::string::npos) << outside.err;
    auto malformed = sync_once(config("initial"), {"--reseed", "a"});
    EXPECT_EQ(malformed.exit_code, 2) << describe(malformed);
    EXPECT_NE(malformed.err.find("a pattern needs a schema and a table"), std::string::npos) << malformed.err;
}

}  // namespace
}  // namespace tidemark::testing
