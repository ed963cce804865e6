// The BatchWriter with a conflict::Detector against real clusters: the
// bulk probe reads who wrote each row (commit timestamp and origin), the
// "error" strategy leaves nothing behind, and without track_commit_timestamp the old row under REPLICA IDENTITY FULL
// tells a changed row from an untouched one.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../unit/apply_test_support.hpp"
#include "apply/apply_error.hpp"
#include "apply/apply_session.hpp"
#include "apply/batch_writer.hpp"
#include "apply/statement_builder.hpp"
#include "checkpoint/replication_origin.hpp"
#include "config/config_loader.hpp"
#include "conflict/detector.hpp"
#include "pg/connection.hpp"
#include "pg/timestamp.hpp"
#include "state/state_schema.hpp"
#include "test_cluster.hpp"

namespace tidemark::apply {
namespace {

using testing::TestCluster;
using testing::Values;

constexpr const char* kOrigin = "tidemark_a";

class DetectionTest : public ::testing::Test {
protected:
    void open(TestCluster& cluster, const std::string& conflicts) {
        pg::Connection admin = pg::Connection::connect(cluster.conninfo());
        admin.exec("DROP SCHEMA IF EXISTS tidemark CASCADE; DROP TABLE IF EXISTS items");
        admin.exec("SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin");
        state::ensure_state_schema(admin);
        admin.exec("CREATE TABLE items (id bigint PRIMARY KEY, name text, body text)");
        checkpoint::ReplicationOrigin origin(kOrigin);
        origin.create_if_missing(admin);
        session_ = std::make_unique<ApplySession>(ApplySession::open(cluster.conninfo(), origin, {}));
        config::Config c = config::parse_config(
            "[source]\nconninfo = \"host=a\"\nname = \"a\"\n[target]\nconninfo = \"host=b\"\n" + conflicts);
        writer_ = std::make_unique<BatchWriter>(*session_, WriterSettings{"a", config::OnError::dead_letter},
                                                conflict::Detector("a", conflict::Policy(c, "a", kOrigin)));
    }

    void write(std::vector<Change>& changes) {
        lsn_ += 100;
        for (auto& c : changes) {
            c.txn.final_lsn = lsn_;
            c.txn.commit_time = pg::pg_now();
            c.txn.xid = 7;
        }
        state::StatsDeltas stats;
        writer_->write(changes, CommitPoint{pg::Lsn(lsn_ + 10), pg::pg_now()}, stats);
    }

    std::string value(TestCluster& cluster, const std::string& sql) { return cluster.scalar(sql); }

    std::unique_ptr<ApplySession> session_;
    std::unique_ptr<BatchWriter> writer_;
    std::uint64_t lsn_ = 0x1000000;
    Values v_;
};

class WithCommitTimestamps : public DetectionTest {
protected:
    static void SetUpTestSuite() { cluster_ = std::make_unique<TestCluster>("conflict-detect"); }
    static void TearDownTestSuite() { cluster_.reset(); }
    static std::unique_ptr<TestCluster> cluster_;
};
std::unique_ptr<TestCluster> WithCommitTimestamps::cluster_;

TEST_F(WithCommitTimestamps, RowsWrittenLocallyAreConflictsAndOursAreNot) {
    open(*cluster_, "[conflicts]\ndefault = \"source_wins\"\n");
    auto rel = testing::items_relation();
    cluster_->exec("INSERT INTO items VALUES (1, 'local', 'x')");
    std::vector<Change> first;
    first.push_back(testing::update(rel, {v_.id(1), v_.text("mine"), v_.text("y")}));
    first.push_back(testing::insert(rel, {v_.id(2), v_.text("new"), v_.text("z")}));
    write(first);
    EXPECT_EQ(value(*cluster_, "SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM items"), "1:mine,2:new");
    EXPECT_EQ(value(*cluster_, "SELECT kind || '/' || target_origin || '/' || resolution FROM tidemark.conflicts"),
              "update_differs/local/source");
    // Both rows now carry our origin: updating them again is no conflict.
    std::vector<Change> second;
    second.push_back(testing::update(rel, {v_.id(1), v_.text("again"), v_.text("y")}));
    second.push_back(testing::update(rel, {v_.id(2), v_.text("again"), v_.text("z")}));
    write(second);
    EXPECT_EQ(value(*cluster_, "SELECT count(*) FROM tidemark.conflicts"), "1");
    EXPECT_EQ(value(*cluster_, "SELECT count(*) FROM items WHERE name = 'again'"), "2");
    auto counts = writer_->take_committed();
    EXPECT_EQ(counts.conflicts["update_differs"]["source_wins"], 1);
}

TEST_F(WithCommitTimestamps, ErrorStrategyRollsTheTransactionBack) {
    open(*cluster_, "[conflicts]\ndefault = \"error\"\n");
    auto rel = testing::items_relation();
    cluster_->exec("INSERT INTO items VALUES (1, 'local', 'x')");
    std::vector<Change> batch;
    batch.push_back(testing::insert(rel, {v_.id(2), v_.text("fine"), v_.text("z")}));
    batch.push_back(testing::insert(rel, {v_.id(1), v_.text("clash"), v_.text("y")}));
    try {
        write(batch);
        FAIL() << "the error strategy must stop the batch";
    } catch (const ApplyError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("insert_exists"), std::string::npos) << what;
        EXPECT_NE(what.find("id=1"), std::string::npos) << what;
    }
    EXPECT_FALSE(session_->in_transaction());
    EXPECT_EQ(value(*cluster_, "SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM items"), "1:local");
    EXPECT_EQ(value(*cluster_, "SELECT coalesce(pg_replication_origin_progress('tidemark_a', true)::text, '')"), "");
    EXPECT_TRUE(writer_->take_committed().empty());
}

TEST_F(WithCommitTimestamps, GuardedWritesRefuseRowsChangedSinceTheProbe) {
    // The lean probe locks nothing: the writes name the xmins it saw, and
    // a row changed since (another xmin) fails the statement instead of
    // being overwritten.
    open(*cluster_, "[conflicts]\n");
    auto rel = testing::items_relation();
    cluster_->exec("INSERT INTO items VALUES (1, 'before', 'x'), (2, 'before', 'x')");
    const std::string seen = value(*cluster_, "SELECT xmin FROM items WHERE id = 1");
    cluster_->exec("UPDATE items SET name = 'changed since' WHERE id = 2");
    wire::Tuple one{v_.id(1), v_.text("source"), v_.text("y")};
    wire::Tuple two{v_.id(2), v_.text("source"), v_.text("y")};
    KeyedRows rows;
    rows.upserts = {&one, &two};
    RowGuard guard{{seen}};
    auto stmts = keyed_statements(*rel, rows, &guard);
    ASSERT_EQ(stmts.size(), 1u);
    PipelineOutcome o = session_->run(stmts);
    ASSERT_FALSE(o.ok());
    EXPECT_EQ(o.error->sqlstate(), "22P02");
    EXPECT_NE(std::string(o.error->what()).find("changed on the target between the conflict probe and the write"),
              std::string::npos)
        << o.error->what();
    EXPECT_EQ(value(*cluster_, "SELECT string_agg(name, ',' ORDER BY id) FROM items"), "before,changed since");
    // With both xmins seen, both rows are written.
    guard.xmins.push_back(value(*cluster_, "SELECT xmin FROM items WHERE id = 2"));
    auto again = keyed_statements(*rel, rows, &guard);
    ASSERT_TRUE(session_->run(again).ok());
    EXPECT_EQ(value(*cluster_, "SELECT string_agg(name, ',' ORDER BY id) FROM items"), "source,source");
}

class WithoutCommitTimestamps : public DetectionTest {
protected:
    static void SetUpTestSuite() {
        cluster_ =
            std::make_unique<TestCluster>("conflict-no-ts", std::vector<std::string>{"track_commit_timestamp=off"});
    }
    static void TearDownTestSuite() { cluster_.reset(); }
    static std::unique_ptr<TestCluster> cluster_;
};
std::unique_ptr<TestCluster> WithoutCommitTimestamps::cluster_;

TEST_F(WithoutCommitTimestamps, FullIdentityComparesTheOldRow) {
    open(*cluster_, "[conflicts]\ndefault = \"target_wins\"\n");
    auto rel = testing::items_relation(true, wire::ReplicaIdentity::full);
    cluster_->exec("INSERT INTO items VALUES (1, 'as the source saw it', 'x'), (2, 'edited on the target', 'x')");
    std::vector<Change> batch;
    batch.push_back(testing::update(rel, {v_.id(1), v_.text("one"), v_.text("x")}, wire::OldKind::full,
                                    {v_.id(1), v_.text("as the source saw it"), v_.text("x")}));
    batch.push_back(testing::update(rel, {v_.id(2), v_.text("two"), v_.text("x")}, wire::OldKind::full,
                                    {v_.id(2), v_.text("as the source saw it"), v_.text("x")}));
    batch.push_back(testing::update(rel, {v_.id(3), v_.text("three"), v_.text("x")}, wire::OldKind::full,
                                    {v_.id(3), v_.text("gone"), v_.text("x")}));
    write(batch);
    EXPECT_EQ(value(*cluster_, "SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM items"),
              "1:one,2:edited on the target");
    EXPECT_EQ(value(*cluster_,
                    "SELECT string_agg(kind || '/' || resolution, ',' ORDER BY record_key->>'id') FROM "
                    "tidemark.conflicts"),
              "update_differs/target,update_missing/target");
}

TEST_F(WithoutCommitTimestamps, DefaultIdentityStillSeesMissingRows) {
    open(*cluster_, "[conflicts]\ndefault = \"manual_review\"\n");
    auto rel = testing::items_relation();
    cluster_->exec("INSERT INTO items VALUES (1, 'edited', 'x')");
    std::vector<Change> batch;
    batch.push_back(testing::update(rel, {v_.id(1), v_.text("one"), v_.text("x")}));
    batch.push_back(testing::remove(rel, {v_.id(9), Values::null(), Values::null()}));
    write(batch);
    // The edit of row 1 cannot be seen: the change applies.
    EXPECT_EQ(value(*cluster_, "SELECT name FROM items WHERE id = 1"), "one");
    EXPECT_EQ(value(*cluster_, "SELECT string_agg(kind || '/' || status, ',') FROM tidemark.conflicts"),
              "delete_missing/pending");
}

}  // namespace
}  // namespace tidemark::apply
