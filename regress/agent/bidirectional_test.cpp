// Two databases replicating to each other: cluster A (this fixture's
// source) and cluster B (its target), an agent A->B and an agent B->A,
// both with [source] origin = "none" so neither sends back what the other
// applied.  The set-up follows docs/conflicts.md: B->A starts first from
// "latest" (B is still empty), then A->B copies A's tables, under copy
// origins the B->A decoder skips.  Concurrent edits of the same rows on
// both sides are then resolved by last_write_wins the same way on both
// sides, both sides converge row by row, and a second round of both agents
// finds nothing to apply: no change goes round in a loop.
#include "sync_fixture.hpp"

namespace tidemark::testing {
namespace {

class Bidirectional : public SyncTest {
protected:
    void SetUp() override {
        SyncTest::SetUp();
        source().create_database(db() + "_ref");
    }

    // Each side's own users' writes count as that side's source, so a tie
    // is decided by the same priority on both sides; the statements below
    // follow each other closely and the reference is "the later one
    // wins": commit times compare exactly.
    static std::string conflicts(const std::string& local_source) {
        return "[conflicts]\ndefault = \"last_write_wins\"\nsource_priority = [\"site_a\", \"site_b\"]\n"
               "commit_time_resolution = \"0ms\"\nlocal_source = \"" +
               local_source + "\"\n";
    }

    std::string a_to_b() const {
        return config("initial", "", "name = \"site_a\"\norigin = \"none\"\n", "", conflicts("site_b"));
    }
    std::string b_to_a() const {
        return "[source]\nconninfo = \"" + target().conninfo(db()) + "\"\nslot = \"" + slot() +
               "_ba\"\nname = \"site_b\"\norigin = \"none\"\n[target]\nconninfo = \"" + source().conninfo(db()) +
               "\"\n[sync]\nstartup_mode = \"latest\"\n" + conflicts("site_a");
    }

    AgentRun run(const std::string& config_text, const std::string& what) const {
        auto r = sync_once(config_text);
        EXPECT_EQ(r.exit_code, 0) << what << ": " << describe(r);
        return r;
    }

    std::string processed(const AgentRun& r) const {
        return src_value("SELECT (" + literal(r.out) + "::jsonb)#>>'{statistics,records_processed}'");
    }

    // A write on side A or B, and the same on the reference, where the
    // later write wins.
    void on_a(const std::string& sql) const {
        src(sql);
        source().exec(sql, db() + "_ref");
    }
    void on_b(const std::string& sql) const {
        tgt(sql);
        source().exec(sql, db() + "_ref");
    }
};

TEST_F(Bidirectional, ConcurrentEditsConvergeTheSameWayWithoutLoops) {
    const char* items = "CREATE TABLE public.items (id int PRIMARY KEY, v text, n int)";
    src(items);
    source().exec(items, db() + "_ref");
    on_a("INSERT INTO items SELECT g, 'v' || g, 0 FROM generate_series(1, 100) g");

    // B->A first, from "latest": its slot exists before anything is
    // written on B, and B holds nothing yet.
    auto first_ba = run(b_to_a(), "B->A start");
    EXPECT_EQ(processed(first_ba), "0");
    // A->B copies A's rows under copy origins.
    auto first_ab = run(a_to_b(), "A->B initial copy");
    ASSERT_EQ(tgt_value("SELECT count(*) FROM items"), "100");
    EXPECT_EQ(
        tgt_value("SELECT count(DISTINCT r.roname) FROM items i, pg_replication_origin r WHERE r.roident = "
                  "(pg_xact_commit_timestamp_origin(i.xmin)).roident AND r.roname ~ '^tidemark_site_a_copy[0-9]+$'"),
        "1")
        << "the copied rows must carry a copy origin of pipeline site_a";
    // The copy does not come back to A.
    auto echo = run(b_to_a(), "B->A after the copy");
    EXPECT_EQ(processed(echo), "0") << "the copied rows came back to A:\n" << echo.out;

    // Concurrent edits: each statement is its own transaction, in this
    // order in time.
    // Every update sets whole values (not n = n + 1), so the reference,
    // where the later statement wins, is what last_write_wins must give.
    on_a("UPDATE items SET v = 'a', n = 1 WHERE id BETWEEN 1 AND 10");
    on_b("UPDATE items SET v = 'b', n = 10 WHERE id BETWEEN 5 AND 15");  // later on 5..10: B wins
    on_a("UPDATE items SET v = 'a2', n = 100 WHERE id IN (14, 15)");     // later on 14, 15: A wins
    on_b("UPDATE items SET v = 'b2' WHERE id = 20");
    on_a("UPDATE items SET v = 'a3' WHERE id = 20");  // A last: A wins
    on_a("UPDATE items SET v = 'a4' WHERE id = 21");
    on_b("UPDATE items SET v = 'b4' WHERE id = 21");  // B last: B wins
    on_a("INSERT INTO items SELECT g, 'from a', 1 FROM generate_series(101, 110) g");
    on_b("INSERT INTO items SELECT g, 'from b', 2 FROM generate_series(201, 205) g");
    on_a("DELETE FROM items WHERE id BETWEEN 90 AND 95");
    on_b("DELETE FROM items WHERE id BETWEEN 80 AND 85");

    auto ab = run(a_to_b(), "A->B");
    auto ba = run(b_to_a(), "B->A");
    EXPECT_NE(processed(ab), "0");
    EXPECT_NE(processed(ba), "0");

    // Both sides equal each other and the policy's result, row by row.
    for (const auto& d : compare_tables(source(), db(), target(), db(), {"public.items"}))
        ADD_FAILURE() << "A and B differ: " << d.detail;
    for (const auto& d : compare_tables(source(), db() + "_ref", source(), db(), {"public.items"}))
        ADD_FAILURE() << "A differs from last_write_wins's result: " << d.detail;
    EXPECT_EQ(src_value("SELECT string_agg(id || '=' || v || '/' || n, ',' ORDER BY id) FROM items WHERE id IN "
                        "(4, 5, 10, 14, 16, 20, 21)"),
              "4=a/1,5=b/10,10=b/10,14=a2/100,16=v16/0,20=a3/0,21=b4/0");

    // The simultaneous edits were seen as conflicts on both sides.
    EXPECT_NE(src_value("SELECT count(*) FROM tidemark.conflicts WHERE record_key IN ('{\"id\": 5}', '{\"id\": 21}')"),
              "0");
    EXPECT_NE(tgt_value("SELECT count(*) FROM tidemark.conflicts WHERE record_key IN ('{\"id\": 5}', '{\"id\": 20}')"),
              "0");

    // No loop: a second round on both sides has nothing to apply, and the
    // rows stay as they are.
    for (int round = 0; round < 2; ++round) {
        auto ab_again = run(a_to_b(), "A->B again");
        auto ba_again = run(b_to_a(), "B->A again");
        EXPECT_EQ(processed(ab_again), "0") << "A->B echoed changes back:\n" << ab_again.out;
        EXPECT_EQ(processed(ba_again), "0") << "B->A echoed changes back:\n" << ba_again.out;
    }
    for (const auto& d : compare_tables(source(), db(), target(), db(), {"public.items"}))
        ADD_FAILURE() << "A and B differ after the quiet rounds: " << d.detail;
    // Neither side's state schema travelled to the other.
    EXPECT_EQ(src_value("SELECT string_agg(name, ',' ORDER BY name) FROM tidemark.pipelines"), "site_b");
    EXPECT_EQ(tgt_value("SELECT string_agg(name, ',' ORDER BY name) FROM tidemark.pipelines"), "site_a");
}

// A row deleted on one side after the other side updated it: the delete
// is the later write, so the row must be gone on both sides.  On the side
// that deleted it, the other side's update finds no row (update_missing);
// only a record of that local delete can keep the update from bringing
// the row back.
TEST_F(Bidirectional, ADeleteAfterAConcurrentUpdateWinsOnBothSides) {
    src("CREATE TABLE public.items (id int PRIMARY KEY, v text, n int)");
    src("INSERT INTO items SELECT g, 'v' || g, 0 FROM generate_series(1, 10) g");
    run(b_to_a(), "B->A start");
    run(a_to_b(), "A->B initial copy");
    ASSERT_EQ(tgt_value("SELECT count(*) FROM items"), "10");

    tgt("UPDATE items SET v = 'b-before-delete' WHERE id = 5");
    src("DELETE FROM items WHERE id = 5");
    src("UPDATE items SET v = 'a-before-delete' WHERE id = 6");
    tgt("DELETE FROM items WHERE id = 6");
    run(a_to_b(), "A->B");
    run(b_to_a(), "B->A");
    EXPECT_EQ(src_value("SELECT count(*) FROM items WHERE id IN (5, 6)"), "0") << "A brought a deleted row back";
    EXPECT_EQ(tgt_value("SELECT count(*) FROM items WHERE id IN (5, 6)"), "0") << "B brought a deleted row back";
    for (const auto& d : compare_tables(source(), db(), target(), db(), {"public.items"}))
        ADD_FAILURE() << "A and B differ: " << d.detail;
}

}  // namespace
}  // namespace tidemark::testing
