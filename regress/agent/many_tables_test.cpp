// A source of many tables (a schema per tenant runs to many thousands) must
// never need a lock per table in one transaction, on either side: a server
// shares max_locks_per_transaction times its connections between all its
// sessions (6,400 slots by default).  These clusters have room for a few
// hundred, and the source has 740 tables, each but the chain with a
// sequence, and 1,500 sequences of its own.
#include <string>

#include "sync_fixture.hpp"

namespace tidemark::testing {
namespace {

class ManyTables : public SyncTest {
protected:
    static void SetUpTestSuite() { start_clusters({"max_locks_per_transaction=10", "max_connections=20"}); }
};

constexpr int kTables = 700;
constexpr int kChain = 40;
constexpr int kSequences = 1500;

std::string chain_name(int i) { return "chain" + std::string(i < 10 ? "0" : "") + std::to_string(i); }

// Some of them: reading every one in one query would itself need a lock
// per sequence.
std::string sequences_sql() {
    return "SELECT string_agg(sequencename || '=' || coalesce(last_value::text, 'unset'), ',' ORDER BY sequencename) "
           "FROM pg_sequences WHERE schemaname = 'public' AND sequencename IN "
           "('s0', 's1', 's750', 's1499', 't0_id_seq', 't350_id_seq', 't699_id_seq')";
}

TEST_F(ManyTables, CopyAndStreamWithinASmallLockTable) {
    // Never analyzed, so the planning counts the rows of each one.
    for (int first = 0; first < kTables; first += 50)
        src("DO $$BEGIN FOR i IN " + std::to_string(first) + ".." + std::to_string(first + 49) +
            " LOOP EXECUTE format('CREATE TABLE t%s (id serial PRIMARY KEY, v text); "
            "INSERT INTO t%s (v) VALUES (''row of t%s'')', i, i, i); END LOOP; END$$");
    for (int first = 0; first < kSequences; first += 100)
        src("DO $$BEGIN FOR i IN " + std::to_string(first) + ".." + std::to_string(first + 99) +
            " LOOP EXECUTE format('CREATE SEQUENCE s%s START %s; SELECT nextval(''s%s'')', i, i + 1, i); "
            "END LOOP; END$$");
    // On the target, each link of the chain references the one before and
    // holds a row from an earlier life: emptying them before the copy needs
    // one TRUNCATE for the whole chain, longer than one batch of tables.
    for (int i = 0; i < kChain; ++i) {
        std::string name = chain_name(i);
        src("CREATE TABLE " + name + " (id int PRIMARY KEY, up int); INSERT INTO " + name + " VALUES (1, 1), (2, 1)");
        tgt("CREATE TABLE " + name + " (id int PRIMARY KEY, up int" +
            (i ? " REFERENCES " + chain_name(i - 1) : std::string()) + "); INSERT INTO " + name +
            " VALUES (1, 1), (3, 1)");
    }

    sync_ok(config("initial"));
    EXPECT_EQ(tgt_value("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
              std::to_string(kTables + kChain));
    expect_converged();
    EXPECT_EQ(tgt_value(sequences_sql()), src_value(sequences_sql()));

    src("INSERT INTO t0 (v) VALUES ('streamed'); INSERT INTO t699 (v) VALUES ('streamed'); "
        "UPDATE chain39 SET up = 2 WHERE id = 2; DELETE FROM chain00 WHERE id = 2");
    sync_ok(config("initial"));
    expect_converged();
    EXPECT_EQ(tgt_value(sequences_sql()), src_value(sequences_sql()));
}

}  // namespace
}  // namespace tidemark::testing
