// A target column is widened exactly when some source value would not fit
// it, never narrowed, and never changed to another kind of type.
#include <gtest/gtest.h>

#include "schema/column_widening.hpp"

namespace tidemark::schema {
namespace {

constexpr Oid kInt2 = 21, kInt4 = 23, kInt8 = 20, kFloat4 = 700, kFloat8 = 701, kNumeric = 1700, kText = 25,
              kVarchar = 1043, kTimestamptz = 1184, kDate = 1082;

std::int32_t numeric(int precision, int scale) { return ((precision << 16) | (scale & 0x7ff)) + 4; }
std::int32_t varchar(int n) { return n + 4; }

void expect_widened(ColumnType source, ColumnType target, ColumnType expected) {
    auto w = widened_type(source, target);
    ASSERT_TRUE(w) << source.oid << "(" << source.typmod << ") into " << target.oid << "(" << target.typmod << ")";
    EXPECT_EQ(w->oid, expected.oid);
    EXPECT_EQ(w->typmod, expected.typmod);
}

void expect_kept(ColumnType source, ColumnType target) {
    EXPECT_FALSE(widened_type(source, target))
        << source.oid << "(" << source.typmod << ") into " << target.oid << "(" << target.typmod << ")";
}

TEST(SchemaColumnWidening, IntegersAndFloatsWidenToTheSourcesSize) {
    expect_widened({kInt8, -1}, {kInt4, -1}, {kInt8, -1});
    expect_widened({kInt4, -1}, {kInt2, -1}, {kInt4, -1});
    expect_widened({kFloat8, -1}, {kFloat4, -1}, {kFloat8, -1});
    expect_kept({kInt4, -1}, {kInt8, -1});
    expect_kept({kInt8, -1}, {kInt8, -1});
    expect_kept({kFloat4, -1}, {kFloat8, -1});
    expect_kept({kInt8, -1}, {kFloat8, -1});  // another kind: the DBA's choice
}

TEST(SchemaColumnWidening, NumericKeepsEveryDigitOfBothSides) {
    expect_widened({kNumeric, numeric(12, 4)}, {kNumeric, numeric(10, 2)}, {kNumeric, numeric(12, 4)});
    // 8 integer digits from the target, 4 decimals from the source.
    expect_widened({kNumeric, numeric(6, 4)}, {kNumeric, numeric(10, 2)}, {kNumeric, numeric(12, 4)});
    expect_widened({kNumeric, -1}, {kNumeric, numeric(10, 2)}, {kNumeric, -1});
    expect_kept({kNumeric, numeric(10, 2)}, {kNumeric, -1});
    expect_kept({kNumeric, numeric(8, 2)}, {kNumeric, numeric(10, 2)});
    expect_kept({kNumeric, numeric(10, 2)}, {kNumeric, numeric(10, 2)});
    // PostgreSQL 15's negative scales: numeric(3,-2) holds up to 99900.
    expect_kept({kNumeric, numeric(3, -2)}, {kNumeric, numeric(6, 0)});
    expect_widened({kNumeric, numeric(3, -2)}, {kNumeric, numeric(4, 0)}, {kNumeric, numeric(5, 0)});
}

TEST(SchemaColumnWidening, StringsWidenToTheLongerOrUnbounded) {
    expect_widened({kVarchar, varchar(100)}, {kVarchar, varchar(20)}, {kVarchar, varchar(100)});
    expect_widened({kVarchar, -1}, {kVarchar, varchar(20)}, {kVarchar, -1});
    expect_widened({kText, -1}, {kVarchar, varchar(20)}, {kText, -1});
    expect_kept({kVarchar, varchar(20)}, {kVarchar, varchar(100)});
    expect_kept({kVarchar, varchar(20)}, {kText, -1});
    expect_kept({kVarchar, varchar(20)}, {kVarchar, -1});
}

TEST(SchemaColumnWidening, TimesWidenToMoreFractionalDigits) {
    expect_widened({kTimestamptz, 3}, {kTimestamptz, 0}, {kTimestamptz, 3});
    expect_widened({kTimestamptz, -1}, {kTimestamptz, 3}, {kTimestamptz, -1});
    expect_kept({kTimestamptz, 0}, {kTimestamptz, 3});
    expect_kept({kTimestamptz, 3}, {kTimestamptz, -1});
    expect_kept({kTimestamptz, -1}, {kDate, -1});
}

}  // namespace
}  // namespace tidemark::schema
