// last_write_wins is a total order on writes: whatever order the same
// writes arrive in, the row ends as the same write.  Checked on every
// permutation of writes with distinct times, tied times, tied ranks and a
// local user's write.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "config/config_loader.hpp"
#include "conflict/last_write_wins.hpp"
#include "conflict/policy.hpp"

namespace tidemark::conflict {
namespace {

struct W {
    std::string name;  // what the row holds after this write
    long long time;
    std::string origin;
};

// Applies `writes` in order: each arriving write meets the row's current
// writer, as the classifier sees it.
std::string apply_in_order(const std::vector<W>& writes, const Policy& policy) {
    std::optional<W> row;
    for (const W& w : writes) {
        if (!row) {
            row = w;
            continue;
        }
        int cmp = row->time > w.time ? 1 : (row->time < w.time ? -1 : 0);
        Winner winner = last_write_wins(cmp, Writer{policy.rank(w.origin), w.origin},
                                        Writer{policy.rank(row->origin), row->origin});
        if (winner == Winner::source) row = w;
    }
    return row->name;
}

Policy policy_with_priority(const std::string& priority) {
    config::Config c = config::parse_config(
        "[source]\nconninfo = \"host=a\"\nname = \"a\"\n[target]\nconninfo = \"host=b\"\n[conflicts]\n"
        "source_priority = " +
        priority + "\n");
    return Policy(c, "a", "tidemark_a");
}

void expect_order_independent(std::vector<W> writes, const Policy& policy, const std::string& winner) {
    std::sort(writes.begin(), writes.end(), [](const W& x, const W& y) { return x.name < y.name; });
    int permutations = 0;
    do {
        ++permutations;
        std::string order;
        for (const auto& w : writes) order += w.name + " ";
        EXPECT_EQ(apply_in_order(writes, policy), winner) << "arrival order: " << order;
    } while (
        std::next_permutation(writes.begin(), writes.end(), [](const W& x, const W& y) { return x.name < y.name; }));
    EXPECT_GT(permutations, 1);
}

TEST(ConflictLastWriteWins, NewestWriteWinsInEveryOrder) {
    Policy p = policy_with_priority("[\"a\", \"b\"]");
    expect_order_independent(
        {{"w1", 10, "tidemark_a"}, {"w2", 30, "tidemark_b"}, {"w3", 20, ""}, {"w4", 25, "tidemark_c"}}, p, "w2");
}

TEST(ConflictLastWriteWins, TiesGoBySourcePriorityThenOriginName) {
    Policy p = policy_with_priority("[\"b\", \"a\"]");
    // Same time: b is listed first; c and d are not listed and rank after
    // a and b; a local user ranks last.
    expect_order_independent({{"a", 50, "tidemark_a"},
                              {"b", 50, "tidemark_b"},
                              {"c", 50, "tidemark_c"},
                              {"d", 50, "tidemark_d"},
                              {"local", 50, ""}},
                             p, "b");
    expect_order_independent({{"c", 50, "tidemark_c"}, {"d", 50, "tidemark_d"}, {"local", 50, ""}}, p, "c");
    expect_order_independent({{"local", 50, ""}, {"x", 49, "tidemark_a"}}, p, "local");
}

TEST(ConflictLastWriteWins, CopyOriginsRankAsTheirSource) {
    Policy p = policy_with_priority("[\"b\", \"a\"]");
    EXPECT_EQ(p.rank("tidemark_b_copy3"), p.rank("tidemark_b"));
    EXPECT_LT(p.rank("tidemark_b"), p.rank("tidemark_a"));
    EXPECT_LT(p.rank("tidemark_zzz"), p.rank(""));
    EXPECT_TRUE(p.is_ours("tidemark_a"));
    EXPECT_TRUE(p.is_ours("tidemark_a_copy12"));
    EXPECT_FALSE(p.is_ours("tidemark_a_copy"));
    EXPECT_FALSE(p.is_ours("tidemark_ab"));
    EXPECT_EQ(source_of_origin("tidemark_system_a_copy2"), "system_a");
    EXPECT_EQ(source_of_origin("pg_16384"), "pg_16384");
}

TEST(ConflictLastWriteWins, UnknownTimesCountAsTies) {
    EXPECT_EQ(last_write_wins(std::nullopt, Writer{0, "tidemark_a"}, Writer{1, "tidemark_b"}), Winner::source);
    EXPECT_EQ(last_write_wins(std::nullopt, Writer{1, "tidemark_b"}, Writer{0, "tidemark_a"}), Winner::target);
    EXPECT_EQ(last_write_wins(0, Writer{0, "tidemark_a"}, Writer{0, "tidemark_a"}), Winner::source);
}

}  // namespace
}  // namespace tidemark::conflict
