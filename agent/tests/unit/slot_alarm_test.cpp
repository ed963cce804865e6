// The slot watch's decisions without a database: when retained WAL warns
// (once per crossing) or alerts (every time), and when an idle interval
// calls for a heartbeat.
#include <gtest/gtest.h>

#include <chrono>

#include "slot/heartbeat.hpp"
#include "slot/retention_alarm.hpp"

namespace tidemark::slot {
namespace {

TEST(RetentionAlarm, WarnsOncePerCrossing) {
    RetentionAlarm alarm(1000, std::nullopt);
    EXPECT_EQ(alarm.check(10), RetentionVerdict::quiet);
    EXPECT_EQ(alarm.check(1001), RetentionVerdict::warn);
    EXPECT_EQ(alarm.check(5000), RetentionVerdict::quiet);
    EXPECT_EQ(alarm.check(999), RetentionVerdict::quiet);
    EXPECT_EQ(alarm.check(2000), RetentionVerdict::warn);
}

TEST(RetentionAlarm, AlertsAtEveryCheckPastTheMaximum) {
    RetentionAlarm alarm(1000, 5000);
    EXPECT_EQ(alarm.check(6000), RetentionVerdict::alert);
    EXPECT_EQ(alarm.check(6000), RetentionVerdict::alert);
    // Between the limits after an alert: the alert already said more.
    EXPECT_EQ(alarm.check(3000), RetentionVerdict::quiet);
    EXPECT_EQ(alarm.check(100), RetentionVerdict::quiet);
    EXPECT_EQ(alarm.check(3000), RetentionVerdict::warn);
}

TEST(Heartbeat, DueOnlyAfterAnIdleInterval) {
    using namespace std::chrono_literals;
    Heartbeat heartbeat(1000ms);
    ASSERT_TRUE(heartbeat.enabled());
    auto t0 = Heartbeat::Clock::time_point{} + 1h;
    EXPECT_FALSE(heartbeat.due(t0, 5));  // the first interval starts
    EXPECT_EQ(heartbeat.next_tick(t0), t0 + 1000ms);
    EXPECT_FALSE(heartbeat.due(t0 + 500ms, 5));
    EXPECT_TRUE(heartbeat.due(t0 + 1000ms, 5));
    // Transactions applied during the next interval: the source is busy.
    EXPECT_FALSE(heartbeat.due(t0 + 2000ms, 7));
    EXPECT_TRUE(heartbeat.due(t0 + 3000ms, 7));
}

TEST(Heartbeat, ZeroIntervalDisables) { EXPECT_FALSE(Heartbeat(std::chrono::milliseconds(0)).enabled()); }

}  // namespace
}  // namespace tidemark::slot
