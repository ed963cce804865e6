// The [alerts] pieces without a database: the rising edge and the rate
// limit, per-minute rates, the command run with the alert's JSON on its
// standard input (failures, timeouts, reaping), and the [metrics] and
// [alerts] sections' validation.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "alerts/alert_command.hpp"
#include "alerts/alert_evaluator.hpp"
#include "alerts/alert_rules.hpp"
#include "config/config_error.hpp"
#include "config/config_loader.hpp"
#include "config/metrics_sections.hpp"

namespace tidemark::alerts {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(AlertEvaluator, FiresOnTheRisingEdgeOnly) {
    AlertEvaluator e(5min);
    auto t = Clock::now();
    EXPECT_EQ(e.evaluate("p", "lag_bytes", 10, 100, t).change, AlertChange::none);
    auto up = e.evaluate("p", "lag_bytes", 200, 100, t + 1s);
    EXPECT_EQ(up.change, AlertChange::fired);
    EXPECT_TRUE(up.run_command);
    EXPECT_EQ(e.evaluate("p", "lag_bytes", 300, 100, t + 2s).change, AlertChange::none) << "still above: no new alert";
    EXPECT_EQ(e.evaluate("p", "lag_bytes", 100, 100, t + 3s).change, AlertChange::resolved) << "equal is within";
    // Another pipeline and another rule are independent.
    EXPECT_EQ(e.evaluate("q", "lag_bytes", 200, 100, t + 3s).change, AlertChange::fired);
    EXPECT_EQ(e.evaluate("p", "dead_letters", 1, 0, t + 3s).change, AlertChange::fired);
}

TEST(AlertEvaluator, RateLimitsTheCommandPerAlert) {
    AlertEvaluator e(5min);
    auto t = Clock::now();
    EXPECT_TRUE(e.evaluate("p", "lag_time", 90, 60, t).run_command);
    e.evaluate("p", "lag_time", 0, 60, t + 10s);
    auto again = e.evaluate("p", "lag_time", 90, 60, t + 20s);
    EXPECT_EQ(again.change, AlertChange::fired) << "the crossing is still reported (and logged)";
    EXPECT_FALSE(again.run_command) << "but the command waits for min_interval";
    e.evaluate("p", "lag_time", 0, 60, t + 30s);
    EXPECT_TRUE(e.evaluate("p", "lag_time", 90, 60, t + 5min + 1s).run_command);
}

TEST(RateWindow, GrowthOverTheLastMinute) {
    RateWindow w(60s);
    auto t = Clock::now();
    EXPECT_EQ(w.add(t, 100), 0);
    EXPECT_EQ(w.add(t + 10s, 130), 30) << "a burst right after start counts";
    EXPECT_EQ(w.add(t + 50s, 150), 50);
    EXPECT_EQ(w.add(t + 70s, 160), 30) << "the sample at t+10s is now the baseline";
    EXPECT_EQ(w.add(t + 200s, 160), 0);
}

TEST(AlertRules, OneRulePerThreshold) {
    config::AlertsConfig c;
    EXPECT_TRUE(alert_rules(c).empty());
    c.lag_time = 90s;
    c.dead_letters = 0;
    auto rules = alert_rules(c);
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(rules[0].name, "lag_time");
    EXPECT_EQ(rules[0].threshold, 90);
    EXPECT_EQ(rules[1].name, "dead_letters");
}

class AlertCommandRun : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ =
            std::filesystem::temp_directory_path() / ("tm_alert_" + std::to_string(::getpid()) + "_" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string read(const std::string& name) {
        std::ifstream in(dir_ / name);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    std::filesystem::path dir_;
};

TEST_F(AlertCommandRun, TheCommandReadsTheJson) {
    AlertNotice n{"dead_letters", "app", 3, 0, "", "pipeline app: dead_letters is 3, above 0", 0};
    std::string json = alert_json(n, "db1");
    EXPECT_EQ(json.find("{\"alert\": \"dead_letters\", \"state\": \"firing\", \"pipeline\": \"app\", \"value\": 3, "
                        "\"threshold\": 0"),
              0u)
        << json;
    EXPECT_NE(json.find("\"host\": \"db1\""), std::string::npos);
    EXPECT_NE(json.find("\"time\": \"2000-01-01T00:00:00.000000+00:00\""), std::string::npos);
    auto r = run_alert_command("cat > " + (dir_ / "got.json").string(), json, 10s);
    EXPECT_TRUE(r.started);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(read("got.json"), json);
}

TEST_F(AlertCommandRun, FailuresAreReportedNotThrown) {
    auto missing = run_alert_command("/nonexistent/alert-hook", "{}", 10s);
    EXPECT_EQ(missing.exit_code, 127);
    auto failing = run_alert_command("exit 3", "{}", 10s);
    EXPECT_EQ(failing.exit_code, 3);
    // A command that does not read its input at all must not hurt the agent.
    auto deaf = run_alert_command("true", std::string(1 << 20, 'x'), 10s);
    EXPECT_EQ(deaf.exit_code, 0);
}

TEST_F(AlertCommandRun, TimeoutKillsTheGroupAndReaps) {
    auto start = Clock::now();
    auto r = run_alert_command("sleep 30 & sleep 30; echo never > " + (dir_ / "late").string(), "{}", 300ms);
    EXPECT_TRUE(r.timed_out);
    EXPECT_LT(Clock::now() - start, 10s);
    EXPECT_FALSE(std::filesystem::exists(dir_ / "late"));
    // Nothing is left to reap: every child of this process was waited for.
    int status = 0;
    EXPECT_EQ(::waitpid(-1, &status, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD);
}

TEST_F(AlertCommandRun, QueuedCommandsRunInTheBackground) {
    {
        AlertCommand command("cat >> " + (dir_ / "all").string(), 10s);
        command.submit({"lag_bytes", "a", 5, 1, "bytes", "m1", 0});
        command.submit({"lag_bytes", "b", 6, 1, "bytes", "m2", 0});
    }  // the destructor sends what is queued
    std::string all = read("all");
    EXPECT_NE(all.find("\"pipeline\": \"a\""), std::string::npos) << all;
    EXPECT_NE(all.find("\"pipeline\": \"b\""), std::string::npos) << all;
}

const char* kBase = "[source]\nconninfo = \"dbname=a\"\n[target]\nconninfo = \"dbname=b\"\n";

TEST(MetricsConfig, ListenAndThresholds) {
    auto c = config::parse_config(std::string(kBase) +
                                      "[metrics]\nlisten = \"0.0.0.0:9187\"\nready_max_lag = \"30s\"\n"
                                      "[alerts]\ncommand = \"/usr/local/bin/page\"\nlag_bytes = \"1GB\"\n"
                                      "lag_time = \"5 minutes\"\nconflicts_per_minute = 10\npending_reviews = 5\n"
                                      "dead_letters = 0\nerrors_per_minute = 3\nmin_interval = \"1 minute\"\n",
                                  "t");
    EXPECT_TRUE(c.metrics.enabled);
    EXPECT_EQ(c.metrics.host, "0.0.0.0");
    EXPECT_EQ(c.metrics.port, 9187);
    EXPECT_EQ(c.metrics.ready_max_lag, 30s);
    EXPECT_EQ(*c.alerts.command, "/usr/local/bin/page");
    EXPECT_EQ(*c.alerts.lag_bytes, 1024ull * 1024 * 1024);
    EXPECT_EQ(*c.alerts.lag_time, 5min);
    EXPECT_EQ(*c.alerts.dead_letters, 0);
    EXPECT_EQ(c.alerts.min_interval, 1min);
    auto off = config::parse_config(kBase, "t");
    EXPECT_FALSE(off.metrics.enabled);
    EXPECT_EQ(off.alerts.min_interval, 5min);
}

TEST(MetricsConfig, BadListenNamesKeyAndFix) {
    for (const char* bad :
         {"9187", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "db.example.com:9187", "[::1]9187", ":9187"}) {
        try {
            config::parse_config(std::string(kBase) + "[metrics]\nlisten = \"" + bad + "\"\n", "t");
            ADD_FAILURE() << bad << " was accepted";
        } catch (const config::ConfigError& e) {
            std::string m = e.what();
            EXPECT_NE(m.find("[metrics] listen"), std::string::npos) << m;
            EXPECT_NE(m.find("127.0.0.1:9187"), std::string::npos) << "the error shows a valid example: " << m;
        }
    }
    EXPECT_TRUE(config::parse_listen_address("[::1]:9187"));
    EXPECT_TRUE(config::parse_listen_address("localhost:9187"));
    EXPECT_THROW(config::parse_config(std::string(kBase) + "[alerts]\nlag_bytez = 1\n", "t"), config::ConfigError);
    EXPECT_THROW(config::parse_config(std::string(kBase) + "[alerts]\ndead_letters = -1\n", "t"), config::ConfigError);
    EXPECT_THROW(config::parse_config(std::string(kBase) + "[alerts]\ncommand = \"\"\n", "t"), config::ConfigError);
}

}  // namespace
}  // namespace tidemark::alerts
