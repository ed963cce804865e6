// Chunks must cover every page of the table exactly once (a gap loses
// rows, an overlap duplicates them), be about chunk_rows each, and fall
// back to one chunk where ctid ranges would not be cheap.
#include <gtest/gtest.h>

#include "idp/chunk_plan.hpp"

namespace tidemark::idp {
namespace {

// Walks the chunks and checks they tile [0, infinity) in order.
void expect_tiling(const std::vector<Chunk>& chunks) {
    ASSERT_FALSE(chunks.empty());
    EXPECT_FALSE(chunks.front().first_page) << "the first chunk must start at the beginning";
    EXPECT_FALSE(chunks.back().end_page) << "the last chunk must be open-ended";
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        EXPECT_EQ(chunks[i].number, static_cast<int>(i));
        if (i + 1 < chunks.size()) {
            ASSERT_TRUE(chunks[i].end_page);
            ASSERT_TRUE(chunks[i + 1].first_page);
            EXPECT_EQ(*chunks[i].end_page, *chunks[i + 1].first_page) << "gap or overlap after chunk " << i;
            if (chunks[i].first_page) {
                EXPECT_LT(*chunks[i].first_page, *chunks[i].end_page);
            }
        }
    }
}

TEST(IdpChunkPlan, SmallTableIsOneUnboundedChunk) {
    auto chunks = plan_chunks(100, 5000, 1'000'000, true);
    ASSERT_EQ(chunks.size(), 1u);
    EXPECT_EQ(chunks[0].where_clause(), "");
    EXPECT_FALSE(chunks[0].lower_bound());
    EXPECT_FALSE(chunks[0].upper_bound());
}

TEST(IdpChunkPlan, BigTableSplitsIntoPageRangesOfAboutChunkRows) {
    // pgbench_accounts at scale 100: 10M rows on 163935 pages.
    auto chunks = plan_chunks(163935, 10'000'000, 1'000'000, true);
    EXPECT_EQ(chunks.size(), 10u);
    expect_tiling(chunks);
    EXPECT_EQ(*chunks[0].end_page, 16394);
    EXPECT_EQ(chunks[1].where_clause(),
              " WHERE ctid >= '(16394,0)'::pg_catalog.tid AND ctid < '(32788,0)'::pg_catalog.tid");
    EXPECT_EQ(chunks[0].where_clause(), " WHERE ctid < '(16394,0)'::pg_catalog.tid");
    EXPECT_EQ(chunks.back().where_clause(), " WHERE ctid >= '(147546,0)'::pg_catalog.tid");
    EXPECT_EQ(chunks[1].lower_bound(), std::optional<std::string>("(16394,0)"));
    EXPECT_EQ(chunks[1].upper_bound(), std::optional<std::string>("(32788,0)"));
}

TEST(IdpChunkPlan, NeverMoreChunksThanPages) {
    auto chunks = plan_chunks(7, 1'000'000, 10, true);
    EXPECT_EQ(chunks.size(), 7u);
    expect_tiling(chunks);
}

TEST(IdpChunkPlan, UnevenDivisionStillTiles) {
    for (std::int64_t pages : {2, 3, 10, 99, 1001, 65537}) {
        for (double rows : {1e3, 3.3e4, 1e6}) {
            auto chunks = plan_chunks(pages, rows, 1000, true);
            expect_tiling(chunks);
            EXPECT_LE(static_cast<std::int64_t>(chunks.size()), pages);
        }
    }
}

TEST(IdpChunkPlan, OneChunkWithoutTidRangeScansOrEstimate) {
    EXPECT_EQ(plan_chunks(163935, 10'000'000, 1'000'000, false).size(), 1u);
    EXPECT_EQ(plan_chunks(163935, -1, 1'000'000, true).size(), 1u);
    EXPECT_EQ(plan_chunks(0, 0, 1, true).size(), 1u);
}

TEST(IdpChunkPlan, RejectsZeroChunkRows) { EXPECT_THROW(plan_chunks(10, 10, 0, true), std::invalid_argument); }

TEST(IdpChunkPlan, FromClauseKeepsInheritanceChildrenOut) {
    catalog::SourceTable t;
    t.schema = "app";
    t.name = "Orders";
    EXPECT_EQ(from_clause(t), "FROM ONLY \"app\".\"Orders\"");
    t.kind = catalog::TableKind::partitioned;
    EXPECT_EQ(from_clause(t), "FROM \"app\".\"Orders\"");
}

}  // namespace
}  // namespace tidemark::idp
