// Late and out-of-order data end to end, one case of the seed's lists per
// test: out-of-order updates, an update before its insert, delayed deletes
// and tombstones, clock skew, duplicate timestamps, backdated versions
// beyond the tolerance, NULL versions, second against microsecond
// precision, a DST change, soft deletes and undeletes.  Each ends with the
// target's rows checked against what the policy must give.
#include <string>

#include "sync_fixture.hpp"

namespace tidemark::testing {
namespace {

class LateData : public SyncTest {
protected:
    void TearDown() override {
        try {
            src("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot() +
                "' AND NOT active");
        } catch (const std::exception&) {
            // A leftover slot goes with the cluster.
        }
    }

    // [conflicts] last_write_wins, and [late_data] for public.orders with
    // its version column.
    std::string late_config(const std::string& tolerance = "5 minutes", const std::string& table_extra = "") const {
        return config("latest", "", "", "",
                      "[conflicts]\ndefault = \"last_write_wins\"\n"
                      "[late_data]\ntolerance = \"" +
                          tolerance +
                          "\"\nmax_clock_skew = \"1 minute\"\n"
                          "[[late_data.tables]]\ntable = \"public.orders\"\nversion_column = \"updated_at\"\n" +
                          table_extra);
    }

    void start(const std::string& source_ddl, const std::string& target_ddl, const std::string& cfg) {
        src(source_ddl);
        tgt(target_ddl);
        auto run = sync_once(cfg);
        ASSERT_EQ(run.exit_code, 0) << describe(run);
    }

    AgentRun apply(const std::string& cfg) {
        auto run = sync_once(cfg);
        EXPECT_EQ(run.exit_code, 0) << describe(run);
        return run;
    }

    std::string order(int id) const {
        return tgt_value("SELECT coalesce(max(status || '@' || updated_at::text), '') FROM orders WHERE id = " +
                         std::to_string(id));
    }
};

const char* kOrders = "CREATE TABLE orders (id int PRIMARY KEY, status text, updated_at timestamptz)";

TEST_F(LateData, OutOfOrderUpdatesKeepTheNewestVersion) {
    const std::string cfg = late_config();
    start(kOrders, kOrders, cfg);
    tgt("ALTER DATABASE " + db() + " SET timezone = 'UTC'");
    src("INSERT INTO orders VALUES (1, 'shipped', '2024-01-01 10:05:00+00')");
    apply(cfg);
    // An older version within the tolerance: a conflict, and the newer row
    // stays.
    src("UPDATE orders SET status = 'packed', updated_at = '2024-01-01 10:03:00+00' WHERE id = 1");
    apply(cfg);
    EXPECT_EQ(order(1), "shipped@2024-01-01 10:05:00+00");
    EXPECT_EQ(tgt_value("SELECT kind || '/' || strategy || '/' || resolution FROM tidemark.conflicts"),
              "update_differs/last_write_wins/target");
    // A newer one goes through.
    src("UPDATE orders SET status = 'delivered', updated_at = '2024-01-01 10:09:00+00' WHERE id = 1");
    apply(cfg);
    EXPECT_EQ(order(1), "delivered@2024-01-01 10:09:00+00");
}

TEST_F(LateData, BackdatedBeyondToleranceIsRecordedAndNotApplied) {
    const std::string cfg = late_config();
    start(kOrders, kOrders, cfg);
    src("INSERT INTO orders VALUES (1, 'shipped', '2024-01-01 10:05:00+00'), (2, 'new', '2024-01-01 10:00:00+00')");
    apply(cfg);
    src("UPDATE orders SET status = 'backdated', updated_at = '2024-01-01 09:00:00+00' WHERE id = 1");
    src("UPDATE orders SET status = 'paid', updated_at = '2024-01-01 10:30:00+00' WHERE id = 2");
    auto run = apply(cfg);
    EXPECT_EQ(order(1), "shipped@2024-01-01 10:05:00+00");
    EXPECT_EQ(order(2), "paid@2024-01-01 10:30:00+00");
    EXPECT_EQ(tgt_value("SELECT record_key::text || ' ' || reason || ' ' || delay::text || ' ' || applied || ' ' || "
                        "expected_time AT TIME ZONE 'UTC' || ' ' || actual_time AT TIME ZONE 'UTC' FROM "
                        "tidemark.late_arrivals"),
              "{\"id\": 1} late 01:05:00 false 2024-01-01 10:05:00 2024-01-01 09:00:00");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.conflicts"), "0");
    // The report lists it.
    EXPECT_NE(run.out.find("\"late_arriving_data\": ["), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("\"delay_seconds\": 3900"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("tolerance"), std::string::npos) << run.out;
}

TEST_F(LateData, UpdateBeforeInsertBecomesAnInsert) {
    // The row predates the slot (startup latest), so its insert never
    // comes: the first update carries the whole row and inserts it.
    src(kOrders);
    src("INSERT INTO orders VALUES (1, 'old', '2024-01-01 10:00:00+00')");
    tgt(kOrders);
    const std::string cfg = late_config();
    apply(cfg);
    src("UPDATE orders SET status = 'new', updated_at = '2024-01-01 11:00:00+00' WHERE id = 1");
    apply(cfg);
    EXPECT_EQ(order(1), "new@2024-01-01 11:00:00+00");
    EXPECT_EQ(tgt_value("SELECT kind || '/' || resolution FROM tidemark.conflicts"), "update_missing/source");
}

TEST_F(LateData, DeleteLeavesATombstoneThatStopsOlderInsertsButNotARealReinsert) {
    const std::string cfg = late_config();
    start(kOrders, kOrders, cfg);
    src("INSERT INTO orders VALUES (5, 'open', now())");
    apply(cfg);
    src("DELETE FROM orders WHERE id = 5");
    apply(cfg);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.tombstones WHERE record_key = '{\"id\": 5}'"), "1");
    // A re-insert carrying a version older than the delete is late.
    src("INSERT INTO orders VALUES (5, 'stale', '2020-01-01 00:00:00+00')");
    apply(cfg);
    EXPECT_EQ(order(5), "");
    EXPECT_EQ(tgt_value("SELECT reason || '/' || applied FROM tidemark.late_arrivals"), "tombstone/false");
    // A genuine re-insert (a newer version) brings the row back and
    // removes the tombstone.
    src("UPDATE orders SET status = 'reopened', updated_at = now() WHERE id = 5");
    apply(cfg);
    EXPECT_EQ(tgt_value("SELECT status FROM orders WHERE id = 5"), "reopened");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.tombstones"), "0");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.conflicts"), "0");
}

TEST_F(LateData, FutureTimestampsAreFlaggedAndApplied) {
    const std::string cfg = late_config();
    start(kOrders, kOrders, cfg);
    src("INSERT INTO orders VALUES (1, 'ahead', now() + interval '1 day'), (2, 'fine', now())");
    auto run = apply(cfg);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM orders"), "2");
    EXPECT_EQ(tgt_value("SELECT record_key::text || ' ' || reason || ' ' || applied || ' ' || (delay > interval "
                        "'23 hours') FROM tidemark.late_arrivals"),
              "{\"id\": 1} future true true");
    EXPECT_NE(run.out.find("max_clock_skew"), std::string::npos) << run.out;
}

TEST_F(LateData, DuplicateTimestampsAreBrokenBySourcePriority) {
    // A local edit with exactly the change's version: the tie goes to the
    // source (a local user's write ranks last).
    const std::string cfg = late_config();
    start(kOrders, kOrders, cfg);
    src("INSERT INTO orders VALUES (1, 'one', '2024-01-01 10:00:00+00')");
    apply(cfg);
    tgt("UPDATE orders SET status = 'local', updated_at = '2024-01-01 11:00:00+00' WHERE id = 1");
    src("UPDATE orders SET status = 'source', updated_at = '2024-01-01 11:00:00+00' WHERE id = 1");
    apply(cfg);
    EXPECT_EQ(order(1), "source@2024-01-01 11:00:00+00");
    EXPECT_EQ(tgt_value("SELECT kind || '/' || resolution || '/' || target_origin FROM tidemark.conflicts"),
              "update_differs/source/local");
}

TEST_F(LateData, NullVersionsFallBackToTheCommitTimeAndAreCounted) {
    const std::string cfg = late_config();
    start(kOrders, kOrders, cfg);
    src("INSERT INTO orders VALUES (1, 'one', '2024-01-01 10:00:00+00')");
    apply(cfg);
    src("UPDATE orders SET status = 'no version', updated_at = NULL WHERE id = 1");
    auto run = apply(cfg);
    EXPECT_EQ(tgt_value("SELECT status || '/' || (updated_at IS NULL) FROM orders WHERE id = 1"), "no version/true");
    EXPECT_NE(run.out.find("no valid version"), std::string::npos) << run.out;
}

TEST_F(LateData, SecondPrecisionColumnsCompareAtSecondPrecision) {
    // The target keeps whole seconds: 10:00:00.6 was stored as 10:00:01,
    // and a later 10:00:00.8 is the same second there, not an older one.
    const std::string cfg = late_config("0ms");
    start("CREATE TABLE orders (id int PRIMARY KEY, status text, updated_at timestamp(6))",
          "CREATE TABLE orders (id int PRIMARY KEY, status text, updated_at timestamp(0))", cfg);
    src("INSERT INTO orders VALUES (1, 'first', '2024-01-01 10:00:00.6')");
    apply(cfg);
    EXPECT_EQ(order(1), "first@2024-01-01 10:00:01");
    src("UPDATE orders SET status = 'second', updated_at = '2024-01-01 10:00:00.8' WHERE id = 1");
    apply(cfg);
    EXPECT_EQ(order(1), "second@2024-01-01 10:00:01");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.late_arrivals"), "0");
}

TEST_F(LateData, MicrosecondPrecisionColumnsCompareAtMicroseconds) {
    const std::string cfg = late_config("1 hour");
    start(kOrders, kOrders, cfg);
    src("INSERT INTO orders VALUES (1, 'newer', '2024-01-01 10:00:00.000002+00')");
    apply(cfg);
    src("UPDATE orders SET status = 'older', updated_at = '2024-01-01 10:00:00.000001+00' WHERE id = 1");
    apply(cfg);
    EXPECT_EQ(tgt_value("SELECT status FROM orders WHERE id = 1"), "newer");
    EXPECT_EQ(tgt_value("SELECT resolution FROM tidemark.conflicts"), "target");
}

TEST_F(LateData, DstChangeComparesInstantsNotWallClocks) {
    // On 2024-11-03 New York's clocks go from 01:59 EDT back to 01:00 EST:
    // 01:10 EST is after 01:30 EDT.  Both sessions use zones other than
    // UTC, and differ.
    const std::string cfg = late_config("1 hour");
    start(kOrders, kOrders, cfg);
    tgt("ALTER DATABASE " + db() + " SET timezone = 'Asia/Kolkata'");
    src("SET timezone = 'America/New_York'; INSERT INTO orders VALUES (1, 'edt', '2024-11-03 01:30:00-04')");
    apply(cfg);
    src("SET timezone = 'America/New_York'; UPDATE orders SET status = 'est', updated_at = '2024-11-03 01:10:00-05' "
        "WHERE id = 1");
    apply(cfg);
    EXPECT_EQ(tgt_value("SELECT status || '@' || (updated_at AT TIME ZONE 'UTC') FROM orders WHERE id = 1"),
              "est@2024-11-03 06:10:00");
    // 01:50 EDT is before 01:10 EST: older, kept out.
    src("SET timezone = 'America/New_York'; UPDATE orders SET status = 'late edt', updated_at = '2024-11-03 "
        "01:50:00-04' WHERE id = 1");
    apply(cfg);
    EXPECT_EQ(tgt_value("SELECT status FROM orders WHERE id = 1"), "est");
    EXPECT_EQ(tgt_value("SELECT resolution FROM tidemark.conflicts"), "target");
}

const char* kAccounts = "CREATE TABLE accounts (id int PRIMARY KEY, name text, deleted_at timestamptz)";

TEST_F(LateData, SoftDeleteDeletesAndClearingItUndeletes) {
    const std::string cfg = config("latest", "", "", "",
                                   "[late_data]\n[[late_data.tables]]\ntable = \"public.accounts\"\n"
                                   "soft_delete_column = \"deleted_at\"\n");
    start(kAccounts, kAccounts, cfg);
    src("INSERT INTO accounts VALUES (1, 'ann', NULL), (2, 'bob', NULL)");
    apply(cfg);
    src("UPDATE accounts SET deleted_at = now() WHERE id = 1");
    apply(cfg);
    EXPECT_EQ(tgt_value("SELECT string_agg(name, ',' ORDER BY id) FROM accounts"), "bob");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.tombstones"), "1");
    src("UPDATE accounts SET deleted_at = NULL, name = 'ann again' WHERE id = 1");
    apply(cfg);
    EXPECT_EQ(tgt_value("SELECT string_agg(name, ',' ORDER BY id) FROM accounts"), "ann again,bob");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.tombstones"), "0");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.conflicts"), "0");
}

TEST_F(LateData, SoftDeletePropagateKeepsTheRow) {
    const std::string cfg = config("latest", "", "", "",
                                   "[late_data]\n[[late_data.tables]]\ntable = \"public.accounts\"\n"
                                   "soft_delete_column = \"deleted_at\"\nsoft_delete = \"propagate\"\n");
    start(kAccounts, kAccounts, cfg);
    src("INSERT INTO accounts VALUES (1, 'ann', NULL)");
    apply(cfg);
    src("UPDATE accounts SET deleted_at = '2024-01-01 00:00:00+00' WHERE id = 1");
    apply(cfg);
    EXPECT_EQ(tgt_value("SELECT name || '/' || (deleted_at IS NOT NULL) FROM accounts"), "ann/true");
    expect_converged();
}

}  // namespace
}  // namespace tidemark::testing
