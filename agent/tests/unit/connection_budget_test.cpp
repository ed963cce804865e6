// Unit tests of the ConnectionBudget: who is served first.  Threads that
// must wait are observed waiting (budget.waiting()) before the test goes
// on, so the order asserted never depends on timing.
#include "sync/connection_budget.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tidemark::sync {
namespace {

void until(const std::function<bool()>& condition) {
    while (!condition()) std::this_thread::yield();
}

struct Order {
    std::mutex m;
    std::vector<std::string> served;
    void add(const std::string& name) {
        std::lock_guard lock(m);
        served.push_back(name);
    }
};

TEST(ConnectionBudget, TakesWhatIsFreeUpToTheWant) {
    ConnectionBudget budget(3);
    budget.join("a", 0);
    EXPECT_EQ(budget.acquire("a", 5, {}), 3);
    EXPECT_EQ(budget.in_use(), 3);
    budget.release("a", 2);
    EXPECT_EQ(budget.held("a"), 1);
    budget.leave("a");
    EXPECT_EQ(budget.in_use(), 0);
}

TEST(ConnectionBudget, AStartingHigherPriorityKeepsLowerOnesWaiting) {
    ConnectionBudget budget(2);
    budget.join("high", 10);
    budget.join("low", 1);
    Order order;
    // Connections are free, but "high" has not asked yet.
    std::jthread low([&] {
        EXPECT_EQ(budget.acquire("low", 2, {}), 2);
        order.add("low");
    });
    until([&] { return budget.waiting() == 1; });
    EXPECT_EQ(budget.acquire("high", 2, {}), 2);
    order.add("high");
    EXPECT_EQ(budget.waiting(), 1);
    budget.leave("high");
    low.join();
    EXPECT_EQ(order.served, (std::vector<std::string>{"high", "low"}));
}

TEST(ConnectionBudget, ServesWaitersByPriorityThenByArrival) {
    ConnectionBudget budget(1);
    budget.join("holder", 0);
    ASSERT_EQ(budget.acquire("holder", 1, {}), 1);
    Order order;
    std::vector<std::jthread> waiters;
    auto wait_for_one = [&](const std::string& name, int priority) {
        budget.join(name, priority);
        waiters.emplace_back([&, name] {
            budget.acquire(name, 1, {});
            order.add(name);
            budget.leave(name);
        });
    };
    wait_for_one("low", 1);
    until([&] { return budget.waiting() == 1; });
    wait_for_one("first_of_two", 5);
    until([&] { return budget.waiting() == 2; });
    wait_for_one("second_of_two", 5);
    until([&] { return budget.waiting() == 3; });
    budget.leave("holder");
    for (auto& w : waiters) w.join();
    EXPECT_EQ(order.served, (std::vector<std::string>{"first_of_two", "second_of_two", "low"}));
}

TEST(ConnectionBudget, AStandbyNoLongerHoldsOthersBack) {
    ConnectionBudget budget(1);
    budget.join("high", 10);
    budget.join("low", 1);
    std::jthread low([&] { EXPECT_EQ(budget.acquire("low", 1, {}), 1); });
    until([&] { return budget.waiting() == 1; });
    budget.stand_by("high");
    low.join();
    EXPECT_EQ(budget.held("low"), 1);
}

TEST(ConnectionBudget, AStopEndsTheWait) {
    ConnectionBudget budget(1);
    budget.join("a", 0);
    ASSERT_EQ(budget.acquire("a", 1, {}), 1);
    std::stop_source stop;
    std::jthread b([&] { EXPECT_EQ(budget.acquire("b", 1, stop.get_token()), 0); });
    until([&] { return budget.waiting() == 1; });
    stop.request_stop();
    b.join();
    EXPECT_EQ(budget.held("b"), 0);
    EXPECT_EQ(budget.waiting(), 0);
}

}  // namespace
}  // namespace tidemark::sync
