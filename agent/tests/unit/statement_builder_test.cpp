// The SQL of the apply path: set-wise statements with one binary array per
// column, row-wise statements with binary scalars, and the changes that
// cannot be applied at all.
#include "apply/statement_builder.hpp"

#include <gtest/gtest.h>

#include "apply/conflation.hpp"
#include "apply_test_support.hpp"

namespace tidemark::apply {
namespace {

using testing::Values;

TEST(StatementBuilder, UpsertsEveryColumnAsATypedBinaryArray) {
    auto rel = testing::items_relation();
    Values v;
    std::vector<Change> changes;
    changes.push_back(testing::insert(rel, {v.id(1), v.text("a"), Values::null()}));
    changes.push_back(testing::insert(rel, {v.id(2), v.text("b"), v.text("x")}));
    TableConflation t(rel);
    for (const auto& c : changes) ASSERT_TRUE(t.absorb(c));
    auto stmts = setwise_statements(t);
    ASSERT_EQ(stmts.size(), 1u);
    EXPECT_EQ(stmts[0].sql,
              "INSERT INTO \"public\".\"items\" (\"id\", \"name\", \"body\") SELECT u.c0, u.c1::text, u.c2::text "
              "FROM unnest($1, $2, $3) AS u(c0, c1, c2) ON CONFLICT (\"id\") DO UPDATE SET \"name\" = "
              "EXCLUDED.\"name\", \"body\" = EXCLUDED.\"body\"");
    ASSERT_EQ(stmts[0].params.size(), 3u);
    // id arrived binary: an int8[] (1016) of int8 elements; text: text[].
    EXPECT_EQ(stmts[0].params[0].type, 1016u);
    EXPECT_EQ(stmts[0].params[1].type, 1009u);
    for (const auto& p : stmts[0].params) EXPECT_TRUE(p.binary);
    // Two elements in each array: the dimension field says so.
    std::string_view body = *stmts[0].params[2].value;
    EXPECT_EQ(static_cast<unsigned char>(body[15]), 2);
    EXPECT_EQ(static_cast<unsigned char>(body[7]), 1) << "body has a NULL: has_nulls must be set";
}

TEST(StatementBuilder, WholeRowsMergeOnTheKeyWhereTheTargetHasMerge) {
    auto rel = testing::items_relation();
    rel->merge_rows = true;
    Values v;
    std::vector<Change> changes;
    changes.push_back(testing::update(rel, {v.id(1), v.text("a"), v.text("x")}));
    changes.push_back(testing::insert(rel, {v.id(2), v.text("b"), Values::null()}));
    TableConflation t(rel);
    for (const auto& c : changes) ASSERT_TRUE(t.absorb(c));
    auto stmts = setwise_statements(t);
    ASSERT_EQ(stmts.size(), 1u);
    EXPECT_EQ(stmts[0].sql,
              "MERGE INTO \"public\".\"items\" AS t USING (SELECT u.c0, u.c1::text, u.c2::text FROM unnest($1, $2, "
              "$3) AS u(c0, c1, c2)) AS s(\"id\", \"name\", \"body\") ON t.\"id\" = s.\"id\" WHEN MATCHED THEN "
              "UPDATE SET \"name\" = s.\"name\", \"body\" = s.\"body\" WHEN NOT MATCHED THEN INSERT (\"id\", "
              "\"name\", \"body\") VALUES (s.\"id\", s.\"name\", s.\"body\")");
    EXPECT_TRUE(stmts[0].reusable);
    ASSERT_EQ(stmts[0].params.size(), 3u);

    // Conflict detection's guard counts what RETURNING gives back, which
    // MERGE lacks before PostgreSQL 17: the guarded form stays an upsert.
    RowGuard guard;
    KeyedRows rows;
    for (const auto& e : t.entries()) rows.upserts.push_back(&e.tuple());
    auto guarded = keyed_statements(*rel, rows, &guard);
    ASSERT_EQ(guarded.size(), 1u);
    EXPECT_NE(guarded[0].sql.find("ON CONFLICT (\"id\") DO UPDATE"), std::string::npos) << guarded[0].sql;
}

TEST(StatementBuilder, AKeyOnlyTableMergesToNothingForARowItHas) {
    auto rel = testing::items_relation();
    rel->columns.resize(1);
    rel->merge_rows = true;
    Values v;
    Change c = testing::insert(rel, {v.id(1)});
    TableConflation t(rel);
    ASSERT_TRUE(t.absorb(c));
    auto stmts = setwise_statements(t);
    ASSERT_EQ(stmts.size(), 1u);
    EXPECT_NE(stmts[0].sql.find("WHEN MATCHED THEN DO NOTHING WHEN NOT MATCHED THEN INSERT (\"id\") VALUES (s.\"id\")"),
              std::string::npos)
        << stmts[0].sql;
}

TEST(StatementBuilder, DeletesComeBeforeUpsertsAndPartialUpdatesAfter) {
    auto rel = testing::items_relation();
    Values v;
    std::vector<Change> changes;
    changes.push_back(testing::update(rel, {v.id(3), v.text("n"), Values::toast()}));
    changes.push_back(testing::insert(rel, {v.id(1), v.text("a"), v.text("x")}));
    changes.push_back(testing::remove(rel, {v.id(2), Values::null(), Values::null()}));
    TableConflation t(rel);
    for (const auto& c : changes) ASSERT_TRUE(t.absorb(c));
    auto stmts = setwise_statements(t);
    ASSERT_EQ(stmts.size(), 3u);
    EXPECT_EQ(stmts[0].sql, "DELETE FROM \"public\".\"items\" AS t USING unnest($1) AS u(c0) WHERE t.\"id\" = u.c0");
    EXPECT_TRUE(stmts[1].sql.starts_with("INSERT INTO"));
    // The unchanged TOAST column is left out of the SET list.
    EXPECT_EQ(stmts[2].sql,
              "UPDATE \"public\".\"items\" AS t SET \"name\" = u.c1::text FROM unnest($1, $2) AS u(c0, c1) "
              "WHERE t.\"id\" = u.c0");
}

TEST(StatementBuilder, TablesWithoutAKeyInsertWithoutConflictClause) {
    auto rel = testing::items_relation(false);
    Values v;
    Change c = testing::insert(rel, {v.id(1), v.text("a"), v.text("x")});
    TableConflation t(rel);
    ASSERT_TRUE(t.absorb(c));
    auto stmts = setwise_statements(t);
    ASSERT_EQ(stmts.size(), 1u);
    EXPECT_EQ(stmts[0].sql.find("ON CONFLICT"), std::string::npos);
}

TEST(StatementBuilder, KeyChangeUpdatesTheOldKeyRowWise) {
    auto rel = testing::items_relation();
    Values v;
    Change c = testing::update(rel, {v.id(2), v.text("a"), Values::toast()}, wire::OldKind::key,
                               {v.id(1), Values::null(), Values::null()});
    RowPlan p = row_statement(c);
    ASSERT_TRUE(p.statement);
    EXPECT_EQ(p.statement->sql,
              "UPDATE \"public\".\"items\" AS t SET \"id\" = $1, \"name\" = $2::text WHERE t.\"id\" = $3");
    ASSERT_EQ(p.statement->params.size(), 3u);
    EXPECT_EQ(p.statement->params[0].type, 20u);  // int8, binary
    EXPECT_EQ(p.statement->params[1].type, 25u);  // text bytes, cast in SQL
    EXPECT_EQ(*p.statement->params[2].value, c.old_tuple[0].bytes);
}

TEST(StatementBuilder, FullRowUpdateWithSameKeyIsAnUpsert) {
    auto rel = testing::items_relation();
    Values v;
    Change c = testing::update(rel, {v.id(1), v.text("a"), v.text("b")});
    RowPlan p = row_statement(c);
    ASSERT_TRUE(p.statement);
    EXPECT_TRUE(p.statement->sql.starts_with("INSERT INTO \"public\".\"items\""));
    EXPECT_NE(p.statement->sql.find("ON CONFLICT (\"id\")"), std::string::npos);
}

TEST(StatementBuilder, AFullRowUpdateWrittenAloneMergesWhereTheTargetHasMerge) {
    auto rel = testing::items_relation();
    rel->merge_rows = true;
    Values v;
    Change c = testing::update(rel, {v.id(1), v.text("a"), v.text("b")});
    RowPlan p = row_statement(c);
    ASSERT_TRUE(p.statement);
    EXPECT_EQ(p.statement->sql,
              "MERGE INTO \"public\".\"items\" AS t USING (SELECT $1, $2::text, $3::text) AS s(\"id\", \"name\", "
              "\"body\") ON t.\"id\" = s.\"id\" WHEN MATCHED THEN UPDATE SET \"name\" = s.\"name\", \"body\" = "
              "s.\"body\" WHEN NOT MATCHED THEN INSERT (\"id\", \"name\", \"body\") VALUES (s.\"id\", s.\"name\", "
              "s.\"body\")");
    ASSERT_EQ(p.statement->params.size(), 3u);
}

TEST(StatementBuilder, FullIdentityWithoutKeyLocatesOneRowByTextForm) {
    auto rel = testing::items_relation(false, wire::ReplicaIdentity::full);
    Values v;
    Change c = testing::remove(rel, {v.id(1), v.text("a"), Values::null()}, wire::OldKind::full);
    RowPlan p = row_statement(c);
    ASSERT_TRUE(p.statement);
    EXPECT_EQ(p.statement->sql,
              "DELETE FROM \"public\".\"items\" AS t WHERE (t.tableoid, t.ctid) = (SELECT s.tableoid, s.ctid FROM "
              "\"public\".\"items\" AS s WHERE s.\"id\"::text IS NOT DISTINCT FROM ($1)::text AND s.\"name\"::text "
              "IS NOT DISTINCT FROM ($2::text)::text AND s.\"body\" IS NULL LIMIT 1)");
}

TEST(StatementBuilder, RefusesAChangeThatIdentifiesNoRow) {
    auto rel = testing::items_relation(false, wire::ReplicaIdentity::nothing);
    Values v;
    Change del = testing::remove(rel, {}, wire::OldKind::none);
    RowPlan p = row_statement(del);
    EXPECT_FALSE(p.statement);
    EXPECT_NE(p.refusal.find("REPLICA IDENTITY NOTHING"), std::string::npos) << p.refusal;
    Change upd = testing::update(rel, {v.id(1), v.text("a"), v.text("b")});
    EXPECT_FALSE(row_statement(upd).statement);
}

TEST(StatementBuilder, TruncateNamesEveryTableWithItsOptions) {
    auto a = testing::items_relation();
    auto b = std::make_shared<RelationInfo>(*a);
    b->target_table = "\"s\".\"Other\"";
    Change c;
    c.kind = ChangeKind::truncate;
    c.truncated = {a, b};
    c.cascade = true;
    c.restart_identity = true;
    RowPlan p = row_statement(c);
    ASSERT_TRUE(p.statement);
    EXPECT_EQ(p.statement->sql, "TRUNCATE \"public\".\"items\", \"s\".\"Other\" RESTART IDENTITY CASCADE");
}

}  // namespace
}  // namespace tidemark::apply
