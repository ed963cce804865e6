// TableConflation: a batch reduced to the last state of each key, and the
// changes whose place in the order matters refused.
#include <gtest/gtest.h>

#include "apply/conflation.hpp"
#include "apply_test_support.hpp"

namespace tidemark::apply {
namespace {

using testing::Values;

TEST(Conflation, InsertThenUpdatesLeaveOneUpsertWithTheLastValues) {
    auto rel = testing::items_relation();
    Values v;
    std::vector<Change> changes;
    changes.push_back(testing::insert(rel, {v.id(1), v.text("a"), v.text("x")}));
    changes.push_back(testing::update(rel, {v.id(1), v.text("b"), v.text("x")}));
    changes.push_back(testing::update(rel, {v.id(1), v.text("c"), v.text("y")}));
    TableConflation t(rel);
    for (const auto& c : changes) ASSERT_TRUE(t.absorb(c));
    ASSERT_EQ(t.entries().size(), 1u);
    EXPECT_EQ(t.entries()[0].op, EntryOp::upsert);
    EXPECT_EQ(t.entries()[0].tuple()[1].bytes, "c");
    EXPECT_EQ(t.entries()[0].tuple()[2].bytes, "y");
}

TEST(Conflation, DeleteAfterInsertWinsAndInsertAfterDeleteWins) {
    auto rel = testing::items_relation();
    Values v;
    std::vector<Change> changes;
    changes.push_back(testing::insert(rel, {v.id(1), v.text("a"), v.text("x")}));
    changes.push_back(testing::remove(rel, {v.id(1), Values::null(), Values::null()}));
    changes.push_back(testing::insert(rel, {v.id(2), v.text("b"), v.text("x")}));
    changes.push_back(testing::remove(rel, {v.id(2), Values::null(), Values::null()}));
    changes.push_back(testing::insert(rel, {v.id(2), v.text("again"), v.text("z")}));
    TableConflation t(rel);
    for (const auto& c : changes) ASSERT_TRUE(t.absorb(c));
    ASSERT_EQ(t.entries().size(), 2u);
    EXPECT_EQ(t.entries()[0].op, EntryOp::remove);
    EXPECT_EQ(t.entries()[1].op, EntryOp::upsert);
    EXPECT_EQ(t.entries()[1].tuple()[1].bytes, "again");
}

TEST(Conflation, UnchangedToastTakesTheValueFromEarlierInTheBatch) {
    auto rel = testing::items_relation();
    Values v;
    std::vector<Change> changes;
    changes.push_back(testing::insert(rel, {v.id(1), v.text("a"), v.text("big body")}));
    changes.push_back(testing::update(rel, {v.id(1), v.text("b"), Values::toast()}));
    TableConflation t(rel);
    for (const auto& c : changes) ASSERT_TRUE(t.absorb(c));
    ASSERT_EQ(t.entries().size(), 1u);
    EXPECT_EQ(t.entries()[0].op, EntryOp::upsert);
    EXPECT_EQ(t.entries()[0].tuple()[2].kind, wire::ValueKind::text);
    EXPECT_EQ(t.entries()[0].tuple()[2].bytes, "big body");
}

TEST(Conflation, UnchangedToastWithoutAnEarlierValueStaysAPartialUpdate) {
    auto rel = testing::items_relation();
    Values v;
    std::vector<Change> changes;
    changes.push_back(testing::update(rel, {v.id(1), v.text("b"), Values::toast()}));
    changes.push_back(testing::update(rel, {v.id(1), Values::toast(), Values::toast()}));
    TableConflation t(rel);
    for (const auto& c : changes) ASSERT_TRUE(t.absorb(c));
    ASSERT_EQ(t.entries().size(), 1u);
    EXPECT_EQ(t.entries()[0].op, EntryOp::partial_update);
    // The later update left name out; the earlier one's value survives.
    EXPECT_EQ(t.entries()[0].tuple()[1].bytes, "b");
    EXPECT_EQ(t.entries()[0].tuple()[2].kind, wire::ValueKind::unchanged_toast);
}

TEST(Conflation, RefusesAKeyChange) {
    auto rel = testing::items_relation();
    Values v;
    Change c = testing::update(rel, {v.id(2), v.text("a"), v.text("x")}, wire::OldKind::key,
                               {v.id(1), Values::null(), Values::null()});
    TableConflation t(rel);
    EXPECT_FALSE(t.absorb(c));
    EXPECT_TRUE(t.empty());
}

TEST(Conflation, AcceptsAnOldKeyEqualToTheNewOne) {
    auto rel = testing::items_relation(true, wire::ReplicaIdentity::full);
    Values v;
    Change c = testing::update(rel, {v.id(1), v.text("b"), v.text("x")}, wire::OldKind::full,
                               {v.id(1), v.text("a"), v.text("x")});
    TableConflation t(rel);
    EXPECT_TRUE(t.absorb(c));
}

TEST(Conflation, RefusesAPartialUpdateOfARowDeletedInTheBatch) {
    auto rel = testing::items_relation();
    Values v;
    std::vector<Change> changes;
    changes.push_back(testing::remove(rel, {v.id(1), Values::null(), Values::null()}));
    changes.push_back(testing::update(rel, {v.id(1), v.text("b"), Values::toast()}));
    TableConflation t(rel);
    EXPECT_TRUE(t.absorb(changes[0]));
    EXPECT_FALSE(t.absorb(changes[1]));
}

TEST(Conflation, TablesWithoutAKeyKeepInsertsInOrderAndRefuseTheRest) {
    auto rel = testing::items_relation(false);
    Values v;
    std::vector<Change> changes;
    changes.push_back(testing::insert(rel, {v.id(1), v.text("a"), v.text("x")}));
    changes.push_back(testing::insert(rel, {v.id(1), v.text("a"), v.text("x")}));
    changes.push_back(testing::update(rel, {v.id(1), v.text("b"), v.text("x")}));
    TableConflation t(rel);
    EXPECT_TRUE(t.absorb(changes[0]));
    EXPECT_TRUE(t.absorb(changes[1]));
    EXPECT_FALSE(t.absorb(changes[2]));
    EXPECT_EQ(t.inserts().size(), 2u);
}

TEST(Conflation, RefusesBinaryValuesOfATypeWithoutArrayType) {
    auto base = testing::items_relation();
    auto rel = std::make_shared<RelationInfo>(*base);
    rel->columns[1].array_type = 0;  // e.g. an int[] column: no int[][] type
    Values v;
    Change binary_name = testing::insert(rel, {v.id(1), v.id(5), v.text("x")});
    Change text_name = testing::insert(rel, {v.id(2), v.text("five"), v.text("x")});
    TableConflation t(rel);
    EXPECT_FALSE(t.absorb(binary_name));
    EXPECT_TRUE(t.absorb(text_name));
}

TEST(Conflation, RefusesAColumnWhoseValuesSwitchKind) {
    auto rel = testing::items_relation();
    Values v;
    Change first = testing::insert(rel, {v.id(1), v.text("a"), v.text("x")});
    Change second = testing::insert(rel, {v.id(2), v.id(7), v.text("x")});
    TableConflation t(rel);
    EXPECT_TRUE(t.absorb(first));
    EXPECT_FALSE(t.absorb(second));
}

TEST(Conflation, KeyBytesNeedEveryKeyColumn) {
    auto rel = testing::items_relation();
    Values v;
    EXPECT_TRUE(key_bytes(*rel, {v.id(1), Values::null(), Values::null()}).has_value());
    EXPECT_FALSE(key_bytes(*rel, {Values::null(), v.text("a"), Values::null()}).has_value());
    EXPECT_FALSE(key_bytes(*rel, {Values::toast(), v.text("a"), Values::null()}).has_value());
    // Text "1" and binary 1 are different keys: they are never mixed.
    EXPECT_NE(key_bytes(*rel, {v.id(1)}), key_bytes(*rel, {v.text(std::string("\0\0\0\0\0\0\0\1", 8))}));
}

}  // namespace
}  // namespace tidemark::apply
