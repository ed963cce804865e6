// Two sources feeding one target: two agents, each with its own source
// database, slot, [source] name and replication origin, writing the same
// table.  Every scenario runs twice from the same changes, into two target
// clusters, once with source A's agent first and once with B's first; both
// targets must end identical, row by row, and equal to what the policy
// says: the later write for last_write_wins, the higher-priority source
// for ties of a version column.
#include <memory>

#include "sync_fixture.hpp"

namespace tidemark::testing {
namespace {

class MultiSource : public SyncTest {
protected:
    static void SetUpTestSuite() {
        SyncTest::SetUpTestSuite();
        second_target_ = std::make_unique<TestCluster>("target2");
    }
    static void TearDownTestSuite() {
        second_target_.reset();
        SyncTest::TearDownTestSuite();
    }

    void SetUp() override {
        SyncTest::SetUp();
        source().create_database(db_b());
        source().create_database(db_ref());
        second_target_->create_database(db());
    }

    std::string db_b() const { return db() + "_b"; }
    std::string db_ref() const { return db() + "_ref"; }
    static TestCluster& second_target() { return *second_target_; }

    // Source "a" (this test's source database) or "b", into target cluster
    // 1 or 2: a pipeline of its own, with `tail` appended to the config.
    std::string pipeline_config(char source_side, int target_number, const std::string& tail) const {
        const std::string& src_db = source_side == 'a' ? db() : db_b();
        const TestCluster& tgt = target_number == 1 ? target() : second_target();
        return "[source]\nconninfo = \"" + source().conninfo(src_db) + "\"\nslot = \"" + slot() + "_" + source_side +
               std::to_string(target_number) + "\"\nname = \"system_" + source_side + "\"\n" +
               "[target]\nconninfo = \"" + tgt.conninfo(db()) + "\"\ncreate_tables = false\n" +
               "[sync]\nstartup_mode = \"latest\"\n" + tail;
    }

    AgentRun run(char source_side, int target_number, const std::string& tail) const {
        auto r = sync_once(pipeline_config(source_side, target_number, tail));
        EXPECT_EQ(r.exit_code, 0) << "agent " << source_side << " into target " << target_number << ": " << describe(r);
        return r;
    }

    // On every database of the scenario: the two sources, the reference
    // and both targets.
    void everywhere(const std::string& sql) const {
        src(sql);
        source().exec(sql, db_b());
        source().exec(sql, db_ref());
        tgt(sql);
        second_target().exec(sql, db());
    }

    // A write on source A or B, and the same write on the reference, where
    // the later write simply wins.
    void write(char side, const std::string& sql, const std::string& reference_sql) const {
        source().exec(sql, side == 'a' ? db() : db_b());
        source().exec(reference_sql, db_ref());
    }

    // Creates the four slots (A and B, into each target) before any write.
    void start_pipelines(const std::string& tail) const {
        for (char side : {'a', 'b'})
            for (int t : {1, 2}) run(side, t, tail);
    }

    // Target 1 gets A then B, target 2 gets B then A; then each agent runs
    // again and must find nothing left.
    void run_both_orders(const std::string& tail) const {
        run('a', 1, tail);
        run('b', 1, tail);
        run('b', 2, tail);
        run('a', 2, tail);
        for (char side : {'a', 'b'})
            for (int t : {1, 2}) {
                auto again = run(side, t, tail);
                EXPECT_EQ(processed(again), "0") << "agent " << side << " into " << t << " had changes left:\n"
                                                 << again.out;
            }
    }

    std::string processed(const AgentRun& r) const {
        return tgt_value("SELECT (" + literal(r.out) + "::jsonb)#>>'{statistics,records_processed}'");
    }

    // Each target row with the commit time and origin the target recorded
    // for it: the evidence last_write_wins decided on.
    static std::string writers(const TestCluster& cluster, const std::string& db, const std::string& table) {
        std::string out;
        for (const auto& row :
             cluster.query("SELECT t::text || ' written ' || coalesce(c.timestamp::text, '?') || ' by ' || "
                           "coalesce(o.roname, 'origin ' || c.roident) FROM " +
                               table +
                               " t, pg_xact_commit_timestamp_origin(t.xmin) c LEFT JOIN pg_replication_origin o ON "
                               "o.roident = c.roident ORDER BY 1",
                           db))
            out += "\n  " + row[0].value_or("");
        return out;
    }

    void expect_targets_equal_reference(const std::string& table) const {
        for (const auto& d : compare_tables(source(), db_ref(), target(), db(), {table}))
            ADD_FAILURE() << "target 1 (A then B) differs from the policy's result: " << d.detail
                          << "\ntarget 1's rows:" << writers(target(), db(), table);
        for (const auto& d : compare_tables(source(), db_ref(), second_target(), db(), {table}))
            ADD_FAILURE() << "target 2 (B then A) differs from the policy's result: " << d.detail
                          << "\ntarget 2's rows:" << writers(second_target(), db(), table);
        for (const auto& d : compare_tables(target(), db(), second_target(), db(), {table}))
            ADD_FAILURE() << "the two arrival orders ended differently: " << d.detail;
    }

private:
    static std::unique_ptr<TestCluster> second_target_;
};

std::unique_ptr<TestCluster> MultiSource::second_target_;

const char* kCustomers =
    "CREATE TABLE public.customers (id int PRIMARY KEY, email text, status text, updated_at timestamptz)";

// Every write sets the whole row, so the reference (the later write
// replaces the row, a delete removes it) is what last_write_wins must give.
std::string upsert(int id, const std::string& email, const std::string& status) {
    return "INSERT INTO customers VALUES (" + std::to_string(id) + ", '" + email + "', '" + status +
           "', '2024-01-01 00:00+00') ON CONFLICT (id) DO UPDATE SET email = excluded.email, status = "
           "excluded.status, updated_at = excluded.updated_at";
}
std::string update(int id, const std::string& email, const std::string& status) {
    return "UPDATE customers SET email = '" + email + "', status = '" + status +
           "', updated_at = '2024-01-01 00:00+00' WHERE id = " + std::to_string(id);
}
std::string remove(int id) { return "DELETE FROM customers WHERE id = " + std::to_string(id); }

TEST_F(MultiSource, LastWriteWinsEndsTheSameInBothOrders) {
    // The writes below follow each other within microseconds, and the
    // reference is "the later one wins": commit times compare exactly.
    const std::string tail =
        "[conflicts]\ndefault = \"last_write_wins\"\nsource_priority = [\"system_a\", \"system_b\"]\n"
        "commit_time_resolution = \"0ms\"\n";
    everywhere(kCustomers);
    start_pipelines(tail);

    // A's rows 1..20, then B's rows 11..30: B inserts over A's 11..20
    // (insert_exists, B is later).
    for (int i = 1; i <= 20; ++i)
        write('a', upsert(i, "a" + std::to_string(i), "new"), upsert(i, "a" + std::to_string(i), "new"));
    for (int i = 11; i <= 30; ++i)
        write('b', upsert(i, "b" + std::to_string(i), "new"), upsert(i, "b" + std::to_string(i), "new"));
    // Interleaved updates of the same rows: the later one wins each time.
    write('a', update(11, "a11x", "gold"), update(11, "a11x", "gold"));
    write('b', update(12, "b12x", "gold"), update(12, "b12x", "gold"));
    write('a', update(12, "a12y", "silver"), update(12, "a12y", "silver"));
    write('b', update(11, "b11y", "silver"), update(11, "b11y", "silver"));
    // A delete, then a later update of the same row on the other side:
    // the update (an undelete) wins.
    write('a', remove(13), remove(13));
    write('b', update(13, "b13z", "back"), upsert(13, "b13z", "back"));
    // An update, then a later delete on the other side: the delete wins.
    write('b', update(14, "b14z", "late"), update(14, "b14z", "late"));
    write('a', remove(14), remove(14));
    // A row only A had, inserted later by B: B's insert wins.
    write('a', update(5, "a5x", "gold"), update(5, "a5x", "gold"));
    write('b', upsert(5, "b5", "new"), upsert(5, "b5", "new"));
    // Rows only one side touches pass through.
    write('b', remove(25), remove(25));
    write('a', update(2, "a2x", "gold"), update(2, "a2x", "gold"));

    run_both_orders(tail);
    expect_targets_equal_reference("public.customers");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM customers"), source().scalar("SELECT count(*) FROM customers", db_ref()));
    // Conflicts were seen and logged on both targets (the same rows collide
    // whatever the order).
    for (const TestCluster* t : {&target(), &second_target()})
        EXPECT_NE(t->scalar("SELECT count(*) FROM tidemark.conflicts WHERE strategy = 'last_write_wins'", db()), "0");
}

TEST_F(MultiSource, AtTheDefaultResolutionBothOrdersEndTheSame) {
    // Batched as in production (many source transactions per target
    // transaction) and commit times compared per 10 ms step: writes of the
    // two sources closer than that tie and go to system_b, the first in
    // source_priority, whichever agent runs first.
    const std::string tail =
        "[conflicts]\ndefault = \"last_write_wins\"\nsource_priority = [\"system_b\", \"system_a\"]\n";
    everywhere(kCustomers);
    start_pipelines(tail);
    for (int i = 1; i <= 40; ++i) {
        write('a', upsert(i, "a" + std::to_string(i), "new"), upsert(i, "a" + std::to_string(i), "new"));
        if (i % 2 == 0) write('b', upsert(i, "b" + std::to_string(i), "new"), upsert(i, "b" + std::to_string(i), "new"));
    }
    for (int round = 0; round < 3; ++round)
        for (int i = 1; i <= 40; i += 3) {
            write('b', update(i, "b" + std::to_string(i) + "r" + std::to_string(round), "b"), "SELECT 1");
            write('a', update(i, "a" + std::to_string(i) + "r" + std::to_string(round), "a"), "SELECT 1");
        }
    run_both_orders(tail);
    for (const auto& d : compare_tables(target(), db(), second_target(), db(), {"public.customers"}))
        ADD_FAILURE() << "the two arrival orders ended differently: " << d.detail << "\ntarget 1's rows:"
                      << writers(target(), db(), "public.customers") << "\ntarget 2's rows:"
                      << writers(second_target(), db(), "public.customers");
    for (const TestCluster* t : {&target(), &second_target()})
        EXPECT_NE(t->scalar("SELECT count(*) FROM tidemark.conflicts WHERE kind = 'update_differs'", db()), "0");
}

TEST_F(MultiSource, VersionTiesGoToTheHigherPrioritySourceInBothOrders) {
    // Both sources stamp the same version on the rows they share: the tie
    // is decided by source_priority (B first), whichever arrives first.
    const std::string tail =
        "[conflicts]\ndefault = \"last_write_wins\"\nsource_priority = [\"system_b\", \"system_a\"]\n"
        "[late_data]\ntolerance = \"3650 days\"\n"
        "[[late_data.tables]]\ntable = \"public.customers\"\nversion_column = \"updated_at\"\n";
    everywhere(kCustomers);
    start_pipelines(tail);

    auto row = [](int id, const std::string& email, const std::string& version) {
        return "INSERT INTO customers VALUES (" + std::to_string(id) + ", '" + email + "', 'x', '" + version +
               "') ON CONFLICT (id) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at";
    };
    // The reference applies B's write on a tie, and the newer version
    // otherwise, whatever order the statements ran in.
    auto reference = [](int id, const std::string& email, const std::string& version, char side) {
        std::string wins_tie = side == 'b' ? ">=" : ">";
        return "INSERT INTO customers VALUES (" + std::to_string(id) + ", '" + email + "', 'x', '" + version +
               "') ON CONFLICT (id) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at "
               "WHERE excluded.updated_at " +
               wins_tie + " customers.updated_at";
    };
    auto both = [&](char side, int id, const std::string& email, const std::string& version) {
        write(side, row(id, email, version), reference(id, email, version, side));
    };
    const std::string v1 = "2024-01-01 00:00:00+00", v2 = "2024-02-01 00:00:00+00", v3 = "2024-03-01 00:00:00+00";
    for (int i = 1; i <= 10; ++i) both('a', i, "a" + std::to_string(i), v1);
    for (int i = 5; i <= 15; ++i) both('b', i, "b" + std::to_string(i), v1);  // ties on 5..10: B wins
    both('a', 6, "a6-newer", v2);                                             // a newer version: A wins
    both('b', 7, "b7-v2", v2);
    both('a', 7, "a7-v2", v2);  // a tie again, A writing last: B still wins
    both('a', 9, "a9-v3", v3);
    both('b', 9, "b9-v2", v2);  // B later in time but an older version: A wins

    run_both_orders(tail);
    expect_targets_equal_reference("public.customers");
    EXPECT_EQ(tgt_value("SELECT email FROM customers WHERE id = 5"), "b5");
    EXPECT_EQ(tgt_value("SELECT email FROM customers WHERE id = 6"), "a6-newer");
    EXPECT_EQ(tgt_value("SELECT email FROM customers WHERE id = 7"), "b7-v2");
    EXPECT_EQ(tgt_value("SELECT email FROM customers WHERE id = 9"), "a9-v3");
}

}  // namespace
}  // namespace tidemark::testing
