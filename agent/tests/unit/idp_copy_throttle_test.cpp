// [sync] copy_max_rate: the copy jobs together read no faster than the
// rate, and a stop is not kept waiting for the throttle.  Lower bounds
// only: a slow machine takes longer, never shorter.
#include <gtest/gtest.h>

#include <chrono>
#include <stop_token>
#include <thread>
#include <vector>

#include "idp/copy_throttle.hpp"

namespace tidemark::idp {
namespace {

using Clock = std::chrono::steady_clock;

TEST(IdpCopyThrottle, JobsTogetherKeepToTheRate) {
    CopyThrottle throttle(400 * 1024);  // bytes per second
    auto started = Clock::now();
    std::vector<std::jthread> jobs;
    for (int j = 0; j < 4; ++j)
        jobs.emplace_back([&] {
            for (int i = 0; i < 10; ++i) throttle.take(16 * 1024, {});
        });
    jobs.clear();  // joins
    // 640 kB at 400 kB/s: 1.6 s, less the 0.1 s of credit a start may use.
    EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(1450));
}

TEST(IdpCopyThrottle, AStopEndsTheWait) {
    CopyThrottle throttle(32 * 1024);
    std::stop_source stop;
    std::jthread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        stop.request_stop();
    });
    auto started = Clock::now();
    throttle.take(32 * 1024 * 1024, stop.get_token());  // 1024 s at this rate
    EXPECT_LT(Clock::now() - started, std::chrono::seconds(60));
}

TEST(IdpCopyThrottle, ARateOfZeroIsRefused) { EXPECT_THROW(CopyThrottle(0), std::invalid_argument); }

}  // namespace
}  // namespace tidemark::idp
