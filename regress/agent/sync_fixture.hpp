// What every end-to-end test of the agent shares: one source and one target
// cluster per test program, a fresh database pair per test, a config written
// for that pair, and the row-by-row convergence check.  Must not: reach into
// the agent's internals; tests see only what a user sees (exit codes,
// output, the databases).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "agent_process.hpp"
#include "convergence.hpp"
#include "test_cluster.hpp"

namespace tidemark::testing {

class SyncTest : public ::testing::Test {
protected:
    static void SetUpTestSuite();
    static void TearDownTestSuite();
    // For a suite that needs other server settings than the defaults: its
    // own SetUpTestSuite calls this ("name = value" lines, both clusters).
    static void start_clusters(const std::vector<std::string>& settings);
    void SetUp() override;

    static TestCluster& source() { return *source_; }
    static TestCluster& target() { return *target_; }

    // A database pair named after the running test, so tests never see each
    // other's tables or slots.
    const std::string& db() const { return db_; }
    const std::string& slot() const { return slot_; }

    // The TOML config for this test's pair; `sync_extra` lands in [sync],
    // `source_extra` in [source], `target_extra` in [target], `tail` at the end.
    std::string config(const std::string& startup_mode, const std::string& sync_extra = "",
                       const std::string& source_extra = "", const std::string& target_extra = "",
                       const std::string& tail = "") const;

    // `tidemark sync -c <config> --once` and friends.
    AgentRun sync_once(const std::string& config_text, const std::vector<std::string>& extra = {}) const;
    // The same, expected to exit 0 (the run is described when it does not).
    AgentRun sync_ok(const std::string& config_text, const std::vector<std::string>& extra = {}) const;
    AgentProcess start_sync(const TempFile& config_file, const std::vector<std::string>& extra = {}) const;
    // Whether the pipeline reached streaming (its copy done) within a minute.
    bool wait_streaming() const;
    // SIGTERM to a running `tidemark sync`, which must exit 0 within a minute.
    static void expect_clean_stop(AgentProcess& agent);

    void src(const std::string& sql) const { source().exec(sql, db_); }
    void tgt(const std::string& sql) const { target().exec(sql, db_); }
    std::string src_value(const std::string& sql) const { return source().scalar(sql, db_); }
    std::string tgt_value(const std::string& sql) const { return target().scalar(sql, db_); }
    // Whether the target's value is `expected` now; false while the query
    // fails (the target restarting, the state not there yet): for waits.
    bool tgt_value_is(const std::string& sql, const std::string& expected) const;

    // pgbench against this test's source database: run to completion, or
    // start in the background (a workload to kill the agent under).
    AgentRun pgbench(const std::vector<std::string>& args) const;
    AgentProcess start_pgbench(const std::vector<std::string>& args) const;

    // A psql session on the target named `application_name` that runs `sql`
    // in the background (a session an agent left behind, a lock held), and
    // whether it has reached its pg_sleep().
    AgentProcess target_session(const std::string& application_name, const std::string& sql) const;
    bool sleeping(const std::string& application_name) const;

    // Every user table of the source equals the target's, row for row.
    void expect_converged() const;

private:
    static std::unique_ptr<TestCluster> source_;
    static std::unique_ptr<TestCluster> target_;
    std::string db_;
    std::string slot_;
};

// Renders an agent run for a failure message.
std::string describe(const AgentRun& run);

// `text` as an SQL string literal (the agent's report, to read it with
// jsonb operators on a test cluster).
std::string literal(const std::string& text);

}  // namespace tidemark::testing
