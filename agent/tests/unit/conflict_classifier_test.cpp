// The classifier's decisions, one rule each: who wrote the row, which
// kind, which strategy per column, late data against versions and
// tombstones, soft deletes, clock skew.  No database: the probe's answer
// is given as a TargetRow.
#include <gtest/gtest.h>

#include <string>

#include "apply_test_support.hpp"
#include "config/config_loader.hpp"
#include "conflict/classifier.hpp"

namespace tidemark::conflict {
namespace {

using apply::ChangeKind;
using apply::EntryOp;
using testing::Values;

constexpr std::int64_t kSecond = 1'000'000;
constexpr std::int64_t kNow = 800'000'000 * kSecond;

config::Config config_with(const std::string& tail) {
    return config::parse_config("[source]\nconninfo = \"host=a\"\nname = \"a\"\n[target]\nconninfo = \"host=b\"\n" +
                                tail);
}

class Classifier : public ::testing::Test {
protected:
    void SetUp() override { rel_ = testing::items_relation(); }

    Decision decide(const std::string& tail, const apply::Change& first, const apply::Change& last,
                    const TargetRow& target, EntryOp op) {
        config::Config c = config_with(tail);
        Policy policy(c, "a", "tidemark_a");
        TablePolicy tp = policy.for_relation(*rel_);
        if (!version_column_.empty()) {
            for (std::size_t i = 0; i < rel_->columns.size(); ++i)
                if (rel_->columns[i].name == version_column_) tp.version_column = i;
            tp.version_is_time = true;
        }
        apply::ConflatedEntry e;
        e.op = op;
        e.source = op == EntryOp::remove ? &last.old_tuple : &last.new_tuple;
        e.first = &first;
        e.last = &last;
        return classify(*rel_, tp, policy, e, target, kNow);
    }

    apply::Change change(apply::Change c, std::int64_t commit_time) {
        c.txn.commit_time = commit_time;
        return c;
    }

    static TargetRow foreign(std::int64_t commit_time, std::string origin = "") {
        TargetRow t;
        t.exists = true;
        t.commit_time = commit_time;
        t.origin = std::move(origin);
        return t;
    }

    std::shared_ptr<apply::RelationInfo> rel_;
    Values v_;
    std::string version_column_;
};

TEST_F(Classifier, OwnRowsAreWrittenWithoutConflict) {
    auto up = change(testing::update(rel_, {v_.id(1), v_.text("n"), v_.text("b")}), kNow);
    TargetRow t;
    t.exists = true;
    t.commit_time = kNow - kSecond;
    t.ours = true;
    Decision d = decide("[conflicts]\ndefault = \"error\"\n", up, up, t, EntryOp::upsert);
    EXPECT_TRUE(d.write);
    EXPECT_FALSE(d.error);
    EXPECT_TRUE(d.conflicts.empty());
    // No commit timestamp (frozen, too old): no evidence of another writer.
    TargetRow frozen;
    frozen.exists = true;
    EXPECT_TRUE(decide("[conflicts]\ndefault = \"error\"\n", up, up, frozen, EntryOp::upsert).conflicts.empty());
}

TEST_F(Classifier, InsertOverAnotherWritersRowIsInsertExists) {
    auto ins = change(testing::insert(rel_, {v_.id(1), v_.text("n"), v_.text("b")}), kNow);
    Decision d =
        decide("[conflicts]\ndefault = \"last_write_wins\"\n", ins, ins, foreign(kNow - kSecond), EntryOp::upsert);
    ASSERT_EQ(d.conflicts.size(), 1u);
    EXPECT_EQ(d.conflicts[0].kind, "insert_exists");
    EXPECT_EQ(d.conflicts[0].resolution, "source");
    EXPECT_TRUE(d.write);
    EXPECT_EQ(d.op, EntryOp::upsert);
    // The target's write is newer: it stays.
    d = decide("[conflicts]\ndefault = \"last_write_wins\"\n", ins, ins, foreign(kNow + kSecond), EntryOp::upsert);
    EXPECT_FALSE(d.write);
    EXPECT_EQ(d.conflicts[0].resolution, "target");
}

TEST_F(Classifier, FieldRulesWriteOnlyTheWinningColumns) {
    auto up = change(testing::update(rel_, {v_.id(1), v_.text("n"), v_.text("b")}), kNow);
    Decision d = decide(
        "[conflicts]\ndefault = \"target_wins\"\n[[conflicts.rules]]\ntable = \"public.items\"\ncolumns = "
        "[\"name\"]\nstrategy = \"source_wins\"\n",
        up, up, foreign(kNow - kSecond), EntryOp::upsert);
    ASSERT_TRUE(d.write);
    EXPECT_EQ(d.op, EntryOp::partial_update);
    ASSERT_TRUE(d.columns_only);
    EXPECT_EQ((*d.columns_only)[0].kind, wire::ValueKind::binary);  // the key stays
    EXPECT_EQ((*d.columns_only)[1].bytes, "n");
    EXPECT_EQ((*d.columns_only)[2].kind, wire::ValueKind::unchanged_toast);
    ASSERT_EQ(d.conflicts.size(), 2u);
    for (const auto& c : d.conflicts) {
        EXPECT_EQ(c.kind, "update_differs");
        EXPECT_EQ(c.columns.size(), 1u);
    }
}

TEST_F(Classifier, ManualReviewParksAndErrorStops) {
    auto up = change(testing::update(rel_, {v_.id(1), v_.text("n"), v_.text("b")}), kNow);
    Decision d = decide("[conflicts]\ndefault = \"manual_review\"\n", up, up, foreign(kNow - kSecond), EntryOp::upsert);
    EXPECT_FALSE(d.write);
    ASSERT_EQ(d.conflicts.size(), 1u);
    EXPECT_TRUE(d.conflicts[0].pending());
    d = decide("[conflicts]\ndefault = \"error\"\n", up, up, foreign(kNow - kSecond), EntryOp::upsert);
    ASSERT_TRUE(d.error);
    EXPECT_EQ(*d.error, "update_differs");
}

TEST_F(Classifier, MissingRows) {
    auto full = change(testing::update(rel_, {v_.id(1), v_.text("n"), v_.text("b")}), kNow);
    TargetRow missing;
    Decision d = decide("[conflicts]\n", full, full, missing, EntryOp::upsert);
    EXPECT_TRUE(d.write);
    EXPECT_EQ(d.conflicts.at(0).kind, "update_missing");
    EXPECT_EQ(d.conflicts.at(0).resolution, "source");
    // A change without its TOASTed column cannot become an insert.
    auto partial = change(testing::update(rel_, {v_.id(1), v_.text("n"), testing::Values::toast()}), kNow);
    d = decide("[conflicts]\n", partial, partial, missing, EntryOp::partial_update);
    EXPECT_FALSE(d.write);
    EXPECT_TRUE(d.conflicts.at(0).pending());
    auto del = change(testing::remove(rel_, {v_.id(1), testing::Values::null(), testing::Values::null()}), kNow);
    d = decide("[conflicts]\n", del, del, missing, EntryOp::remove);
    EXPECT_FALSE(d.write);
    EXPECT_TRUE(d.tombstone);
    EXPECT_EQ(d.conflicts.at(0).kind, "delete_missing");
}

TEST_F(Classifier, TombstonesStopOlderChangesAndLetNewerOnesBack) {
    auto ins = change(testing::insert(rel_, {v_.id(1), v_.text("n"), v_.text("b")}), kNow);
    TargetRow t;
    t.tombstone_time = kNow + kSecond;
    Decision d = decide("[conflicts]\n", ins, ins, t, EntryOp::upsert);
    EXPECT_FALSE(d.write);
    ASSERT_EQ(d.late.size(), 1u);
    EXPECT_EQ(d.late[0].reason, "tombstone");
    t.tombstone_time = kNow - kSecond;
    auto up = change(testing::update(rel_, {v_.id(1), v_.text("n"), v_.text("b")}), kNow);
    d = decide("[conflicts]\n", up, up, t, EntryOp::upsert);
    EXPECT_TRUE(d.write);
    EXPECT_TRUE(d.clear_tombstone);
    EXPECT_TRUE(d.conflicts.empty());
}

TEST_F(Classifier, OlderVersionBeyondToleranceIsLate) {
    version_column_ = "body";
    auto up = change(testing::update(rel_, {v_.id(1), v_.text("n"), v_.text("v")}), kNow);
    TargetRow t;
    t.exists = true;
    t.ours = true;
    t.commit_time = kNow - kSecond;
    t.version_cmp = 1;
    t.source_version_valid = t.target_version_valid = true;
    t.source_version_time = kNow - 3600 * kSecond;
    t.target_version_time = kNow - 60 * kSecond;
    Decision d = decide("[conflicts]\n[late_data]\ntolerance = \"5 minutes\"\n", up, up, t, EntryOp::upsert);
    EXPECT_FALSE(d.write);
    ASSERT_EQ(d.late.size(), 1u);
    EXPECT_EQ(d.late[0].reason, "late");
    EXPECT_EQ(*d.late[0].expected_time - *d.late[0].actual_time, 3540 * kSecond);
    // Within the tolerance: the policy decides (last_write_wins keeps the
    // newer target row).
    t.source_version_time = kNow - 120 * kSecond;
    d = decide("[conflicts]\n[late_data]\ntolerance = \"5 minutes\"\n", up, up, t, EntryOp::upsert);
    EXPECT_FALSE(d.write);
    EXPECT_TRUE(d.late.empty());
    EXPECT_EQ(d.conflicts.at(0).resolution, "target");
    // A NULL version falls back to the commit time and is counted.
    t.source_version_valid = false;
    t.version_cmp.reset();
    d = decide("[conflicts]\n[late_data]\n", up, up, t, EntryOp::upsert);
    EXPECT_TRUE(d.write);
    EXPECT_TRUE(d.invalid_version);
}

TEST_F(Classifier, FutureTimesAreFlaggedButApplied) {
    auto ins = change(testing::insert(rel_, {v_.id(1), v_.text("n"), v_.text("b")}), kNow + 3600 * kSecond);
    Decision d =
        decide("[conflicts]\n[late_data]\nmax_clock_skew = \"1 minute\"\n", ins, ins, TargetRow{}, EntryOp::upsert);
    EXPECT_TRUE(d.write);
    ASSERT_EQ(d.late.size(), 1u);
    EXPECT_EQ(d.late[0].reason, "future");
    EXPECT_TRUE(d.late[0].applied);
}

TEST_F(Classifier, SettingTheSoftDeleteColumnDeletes) {
    auto up = change(testing::update(rel_, {v_.id(1), v_.text("n"), v_.text("2024-01-01")}), kNow);
    TargetRow t;
    t.exists = true;
    t.ours = true;
    t.commit_time = kNow - kSecond;
    config::Config c = config_with(
        "[late_data]\n[[late_data.tables]]\ntable = \"public.items\"\n"
        "soft_delete_column = \"body\"\n");
    Policy policy(c, "a", "tidemark_a");
    TablePolicy tp = policy.for_relation(*rel_);
    apply::ConflatedEntry e;
    e.op = EntryOp::upsert;
    e.source = &up.new_tuple;
    e.first = e.last = &up;
    Decision d = classify(*rel_, tp, policy, e, t, kNow);
    EXPECT_TRUE(d.write);
    EXPECT_EQ(d.op, EntryOp::remove);
    EXPECT_TRUE(d.tombstone);
    // Cleared: an ordinary update.
    auto cleared = change(testing::update(rel_, {v_.id(1), v_.text("n"), testing::Values::null()}), kNow);
    e.source = &cleared.new_tuple;
    e.first = e.last = &cleared;
    d = classify(*rel_, tp, policy, e, t, kNow);
    EXPECT_EQ(d.op, EntryOp::upsert);
    EXPECT_FALSE(d.tombstone);
}

TEST_F(Classifier, UnknownColumnsInRulesAreNamed) {
    config::Config c = config_with(
        "[conflicts]\n[[conflicts.rules]]\ntable = \"public.items\"\ncolumns = [\"nope\"]\nstrategy = \"error\"\n");
    Policy policy(c, "a", "tidemark_a");
    try {
        policy.for_relation(*rel_);
        FAIL() << "expected an error";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("\"nope\""), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace tidemark::conflict
