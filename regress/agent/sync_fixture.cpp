// See sync_fixture.hpp.
#include "sync_fixture.hpp"

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <functional>
#include <stdexcept>

namespace tidemark::testing {

std::string literal(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') out += '\'';
        out += c;
    }
    return out + "'";
}

std::unique_ptr<TestCluster> SyncTest::source_;
std::unique_ptr<TestCluster> SyncTest::target_;

void SyncTest::SetUpTestSuite() { start_clusters({}); }

void SyncTest::start_clusters(const std::vector<std::string>& settings) {
    source_ = std::make_unique<TestCluster>("source", settings);
    target_ = std::make_unique<TestCluster>("target", settings);
}

void SyncTest::TearDownTestSuite() {
    source_.reset();
    target_.reset();
}

void SyncTest::SetUp() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
        return std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '_';
    });
    // Identifiers stop at 63 bytes; a long name keeps its start and a hash
    // of the whole, so parameterised cases stay distinct.
    if (name.size() > 48) {
        char suffix[12];
        std::snprintf(suffix, sizeof suffix, "_%08zx", std::hash<std::string>{}(name) & 0xffffffffu);
        name = name.substr(0, 39) + suffix;
    }
    db_ = name;
    slot_ = "tm_" + name;
    source().create_database(db_);
    target().create_database(db_);
}

std::string SyncTest::config(const std::string& startup_mode, const std::string& sync_extra,
                             const std::string& source_extra, const std::string& target_extra,
                             const std::string& tail) const {
    return "[source]\n"
           "conninfo = \"" + source().conninfo(db_) + "\"\n"
           "slot = \"" + slot_ + "\"\n" + source_extra + "\n"
           "[target]\n"
           "conninfo = \"" + target().conninfo(db_) + "\"\n" + target_extra + "\n"
           "[sync]\n"
           "startup_mode = \"" + startup_mode + "\"\n"
           "copy_jobs = 2\n" + sync_extra + "\n" + tail;
}

AgentRun SyncTest::sync_once(const std::string& config_text, const std::vector<std::string>& extra) const {
    TempFile file(config_text);
    std::vector<std::string> args{"sync", "-c", file.path(), "--once"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_agent(args);
}

AgentRun SyncTest::sync_ok(const std::string& config_text, const std::vector<std::string>& extra) const {
    AgentRun run = sync_once(config_text, extra);
    EXPECT_EQ(run.exit_code, 0) << describe(run);
    return run;
}

bool SyncTest::wait_streaming() const {
    return wait_until(
        [&] { return tgt_value_is("SELECT count(*) FROM tidemark.pipelines WHERE phase = 'streaming'", "1"); }, 60000);
}

void SyncTest::expect_clean_stop(AgentProcess& agent) {
    agent.signal(SIGTERM);
    auto code = agent.wait(std::chrono::seconds(60));
    ASSERT_TRUE(code.has_value()) << "the agent did not stop on SIGTERM";
    EXPECT_EQ(*code, 0) << agent.err();
}

AgentProcess SyncTest::start_sync(const TempFile& config_file, const std::vector<std::string>& extra) const {
    std::vector<std::string> args{"sync", "-c", config_file.path()};
    args.insert(args.end(), extra.begin(), extra.end());
    return AgentProcess(args);
}

namespace {
std::vector<std::string> pgbench_args(const TestCluster& cluster, const std::string& db,
                                      const std::vector<std::string>& args) {
    std::vector<std::string> all{"-h", "127.0.0.1", "-p", std::to_string(cluster.port()), "-U", "postgres"};
    all.insert(all.end(), args.begin(), args.end());
    all.push_back(db);
    return all;
}
}  // namespace

AgentRun SyncTest::pgbench(const std::vector<std::string>& args) const {
    AgentProcess p(pgbench_args(source(), db_, args), std::string(TIDEMARK_PG_BINDIR) + "/pgbench");
    auto code = p.wait(std::chrono::minutes(10));
    if (!code) throw std::runtime_error("pgbench did not finish: " + p.err());
    AgentRun run{*code, p.out(), p.err(), p.peak_rss_kb()};
    if (run.exit_code != 0) throw std::runtime_error("pgbench failed: " + describe(run));
    return run;
}

AgentProcess SyncTest::start_pgbench(const std::vector<std::string>& args) const {
    return AgentProcess(pgbench_args(source(), db_, args), std::string(TIDEMARK_PG_BINDIR) + "/pgbench");
}

AgentProcess SyncTest::target_session(const std::string& application_name, const std::string& sql) const {
    return AgentProcess({"-h", "127.0.0.1", "-p", std::to_string(target().port()), "-U", "postgres", "-d", db_, "-c",
                         "SET application_name = '" + application_name + "'; " + sql},
                        std::string(TIDEMARK_PG_BINDIR) + "/psql");
}

bool SyncTest::tgt_value_is(const std::string& sql, const std::string& expected) const {
    try {
        return tgt_value(sql) == expected;
    } catch (const std::exception&) {
        return false;
    }
}

bool SyncTest::sleeping(const std::string& application_name) const {
    return tgt_value("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + application_name +
                     "' AND wait_event = 'PgSleep'") == "1";
}

void SyncTest::expect_converged() const {
    auto tables = user_tables(source(), db_);
    auto diffs = compare_tables(source(), db_, target(), db_, tables);
    for (const auto& d : diffs) ADD_FAILURE() << "table " << d.table << " differs: " << d.detail;
}

std::string describe(const AgentRun& run) {
    return "exit code " + std::to_string(run.exit_code) + "\n--- stdout ---\n" + run.out.substr(0, 4000) +
           "\n--- stderr ---\n" + run.err.substr(0, 8000);
}

}  // namespace tidemark::testing
