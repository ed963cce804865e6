// Commit times compare by steps of [conflicts] commit_time_resolution, and
// [conflicts] local_source names the target's own writers: what makes
// last_write_wins end the same on both sides of a two-way setup.
#include <gtest/gtest.h>

#include <string>

#include "config/config_error.hpp"
#include "config/config_loader.hpp"
#include "conflict/last_write_wins.hpp"
#include "conflict/policy.hpp"

namespace tidemark::conflict {
namespace {

Policy policy(const std::string& conflicts_tail) {
    config::Config c = config::parse_config(
        "[source]\nconninfo = \"host=a\"\nname = \"site_a\"\n[target]\nconninfo = \"host=b\"\n[conflicts]\n" +
        conflicts_tail);
    return Policy(c, "site_a", "tidemark_site_a");
}

TEST(ConflictCommitTimeStep, DefaultIsTenMillisecondsFlooredAlsoBefore2000) {
    Policy p = policy("");
    EXPECT_EQ(p.commit_time_resolution(), 10000);
    EXPECT_EQ(p.commit_time_step(0), 0);
    EXPECT_EQ(p.commit_time_step(9999), 0);
    EXPECT_EQ(p.commit_time_step(10000), 1);
    // PostgreSQL's epoch is 2000-01-01: earlier times are negative and
    // must not share step 0 with the first 10 ms after it.
    EXPECT_EQ(p.commit_time_step(-1), -1);
    EXPECT_EQ(p.commit_time_step(-10000), -1);
    EXPECT_EQ(p.commit_time_step(-10001), -2);
}

TEST(ConflictCommitTimeStep, ZeroMeansExactMicroseconds) {
    Policy p = policy("commit_time_resolution = \"0ms\"\n");
    EXPECT_EQ(p.commit_time_resolution(), 1);
    EXPECT_NE(p.commit_time_step(1), p.commit_time_step(2));
}

TEST(ConflictCommitTimeStep, ABadResolutionIsAConfigError) {
    EXPECT_THROW(policy("commit_time_resolution = \"soon\"\n"), config::ConfigError);
}

TEST(ConflictLocalSource, LocalWritesRankAsTheNamedSource) {
    // Without local_source a local user ranks after every source.
    Policy plain = policy("source_priority = [\"site_a\", \"site_b\"]\n");
    EXPECT_GT(plain.rank(""), plain.rank("tidemark_site_b"));
    EXPECT_EQ(plain.writer_origin(""), "");

    // On database B (target of A->B), B's own users are site_b; on A
    // (target of B->A), A's are site_a.  A tie between the two sides goes
    // to site_a on both databases.
    Policy on_b = policy("source_priority = [\"site_a\", \"site_b\"]\nlocal_source = \"site_b\"\n");
    EXPECT_EQ(on_b.writer_origin(""), "tidemark_site_b");
    EXPECT_EQ(on_b.rank(""), on_b.rank("tidemark_site_b"));
    EXPECT_EQ(on_b.local_source(), "site_b");
    Winner on_b_tie = last_write_wins(0, Writer{on_b.rank("tidemark_site_a"), "tidemark_site_a"},
                                      Writer{on_b.rank(""), on_b.writer_origin("")});
    EXPECT_EQ(on_b_tie, Winner::source) << "on B, A's change must beat B's local write";

    config::Config ca = config::parse_config(
        "[source]\nconninfo = \"host=b\"\nname = \"site_b\"\n[target]\nconninfo = \"host=a\"\n[conflicts]\n"
        "source_priority = [\"site_a\", \"site_b\"]\nlocal_source = \"site_a\"\n");
    Policy on_a(ca, "site_b", "tidemark_site_b");
    Winner on_a_tie = last_write_wins(0, Writer{on_a.rank("tidemark_site_b"), "tidemark_site_b"},
                                      Writer{on_a.rank(""), on_a.writer_origin("")});
    EXPECT_EQ(on_a_tie, Winner::target) << "on A, A's local write must beat B's change";
}

}  // namespace
}  // namespace tidemark::conflict
