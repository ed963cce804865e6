// The small pieces the sync command stands on: the catch-up target's page
// adjustment, origin names, the IDP gate's name matching, the bounded
// queue and the backoff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "apply/idp_gate.hpp"
#include "checkpoint/replication_origin.hpp"
#include "retry/backoff.hpp"
#include "sync/catch_up.hpp"
#include "sync/payload_queue.hpp"

namespace tidemark {
namespace {

constexpr std::uint64_t kBlock = 8192;
constexpr std::uint64_t kSegment = 16 * 1024 * 1024;

TEST(CatchUpTarget, MovesBackOverAnEmptyPagesHeader) {
    EXPECT_EQ(sync::page_adjusted(pg::Lsn(5 * kSegment + 3 * kBlock + 24), kBlock, kSegment),
              pg::Lsn(5 * kSegment + 3 * kBlock));
    // The first page of a segment has the long header.
    EXPECT_EQ(sync::page_adjusted(pg::Lsn(5 * kSegment + 40), kBlock, kSegment), pg::Lsn(5 * kSegment));
    EXPECT_EQ(sync::page_adjusted(pg::Lsn(5 * kSegment + 24), kBlock, kSegment), pg::Lsn(5 * kSegment + 24));
    // Anywhere else in a page a record may end there: unchanged.
    EXPECT_EQ(sync::page_adjusted(pg::Lsn(3 * kBlock + 32), kBlock, kSegment), pg::Lsn(3 * kBlock + 32));
    EXPECT_EQ(sync::page_adjusted(pg::Lsn(3 * kBlock + 4000), kBlock, kSegment), pg::Lsn(3 * kBlock + 4000));
}

TEST(OriginName, KeepsPlainNamesAndHashesTheRest) {
    EXPECT_EQ(checkpoint::origin_name_for("app_main"), "tidemark_app_main");
    std::string a = checkpoint::origin_name_for("a-b");
    std::string b = checkpoint::origin_name_for("a_b");
    EXPECT_NE(a, b) << "names that sanitise alike must keep distinct origins";
    EXPECT_TRUE(a.starts_with("tidemark_a_b_"));
    EXPECT_EQ(a, checkpoint::origin_name_for("a-b")) << "stable across calls";
    EXPECT_LE(checkpoint::origin_name_for(std::string(200, 'x')).size(), 63u);
}

TEST(IdpGate, MatchesQuotedAndBareSpellings) {
    auto q = apply::split_qualified_name("\"Sch ëma\".\"Mixed \"\"Case\"\"\"");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->first, "Sch ëma");
    EXPECT_EQ(q->second, "Mixed \"Case\"");
    auto bare = apply::split_qualified_name("public.items");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->second, "items");
    EXPECT_FALSE(apply::split_qualified_name("items"));
    EXPECT_FALSE(apply::split_qualified_name("a.b.c"));
    EXPECT_FALSE(apply::split_qualified_name("\"a.b"));

    state::TableRecord t;
    t.source_table = "\"public\".\"items\"";
    t.target_table = "\"public\".\"items\"";
    t.high_water_mark = pg::Lsn(1000);
    apply::IdpGate gate({t});
    ASSERT_NE(gate.find("public", "items"), nullptr);
    EXPECT_EQ(gate.find("public", "other"), nullptr);
}

TEST(IdpGate, SkipsOnlyTransactionsCommittedBelowTheHighWaterMark) {
    std::optional<pg::Lsn> hwm = pg::Lsn(1000);
    EXPECT_TRUE(apply::IdpGate::already_copied(hwm, 999));
    EXPECT_FALSE(apply::IdpGate::already_copied(hwm, 1000));
    EXPECT_FALSE(apply::IdpGate::already_copied(hwm, 1001));
    EXPECT_FALSE(apply::IdpGate::already_copied(std::nullopt, 1));
}

std::shared_ptr<apply::Payload> payload_of(std::size_t bytes) {
    auto p = std::make_shared<apply::Payload>();
    // CopyBuffer releases with PQfreemem, which is free().
    char* data = static_cast<char*>(std::malloc(bytes));
    p->buffer = pg::CopyBuffer(data, bytes);
    return p;
}

TEST(PayloadQueue, BlocksWhenFullAndKeepsOrder) {
    // Room for one payload, not two.
    sync::PayloadQueue q(payload_of(60)->footprint() + 10, 10);
    sync::QueueItem a{sync::QueueItem::Kind::payload, payload_of(60), {}, {}};
    sync::QueueItem b{sync::QueueItem::Kind::payload, payload_of(60), {}, {}};
    auto* first = a.payload.get();
    ASSERT_TRUE(q.push(a, std::chrono::milliseconds(10)));
    EXPECT_FALSE(q.push(b, std::chrono::milliseconds(10))) << "over the byte budget";
    ASSERT_TRUE(b.payload) << "a refused item stays with the caller";
    std::thread consumer([&] {
        auto got = q.pop(std::chrono::milliseconds(1000));
        ASSERT_TRUE(got);
        EXPECT_EQ(got->payload.get(), first);
    });
    EXPECT_TRUE(q.push(b, std::chrono::milliseconds(2000)));
    consumer.join();
    // End items never wait, even when full.
    sync::QueueItem end{sync::QueueItem::Kind::end, nullptr, {}, {}};
    EXPECT_TRUE(q.push(end, std::chrono::milliseconds(0)));
    EXPECT_EQ(q.size(), 2u);
    q.close();
    sync::QueueItem late{sync::QueueItem::Kind::keepalive, nullptr, pg::Lsn(1), {}};
    EXPECT_FALSE(q.push(late, std::chrono::milliseconds(0)));
}

TEST(Backoff, DoublesWithJitterUpToTheCap) {
    retry::Backoff b(std::chrono::milliseconds(100), std::chrono::milliseconds(1000));
    std::vector<long long> waits;
    for (int i = 0; i < 8; ++i) waits.push_back(b.next().count());
    EXPECT_GE(waits[0], 50);
    EXPECT_LE(waits[0], 100);
    EXPECT_GE(waits[3], 400);
    EXPECT_LE(waits[3], 800);
    for (long long w : waits) EXPECT_LE(w, 1000);
    EXPECT_GE(waits[7], 500);
    b.reset();
    EXPECT_LE(b.next().count(), 100);
    // The defaults used by the stream and the copy: 100 ms up to 30 s.
    retry::Backoff d;
    for (int i = 0; i < 30; ++i) d.next();
    auto capped = d.next().count();
    EXPECT_GE(capped, 15'000);
    EXPECT_LE(capped, 30'000);
}

}  // namespace
}  // namespace tidemark
