// The log sink shares the terminal with the copy's bars: a log line written
// while bars are shown must stay on the screen above them, whichever thread
// writes it, and a sink that is not a terminal must write no escape codes.
#include "log/terminal_sink.hpp"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>

#include <string>
#include <thread>
#include <vector>

#include "terminal_screen.hpp"

namespace tidemark::log {
namespace {

using test::read_all;
using test::render_screen;
using test::TempFile;

std::shared_ptr<spdlog::logger> logger_on(std::shared_ptr<TerminalSink> sink) {
    sink->set_formatter(std::make_unique<spdlog::pattern_formatter>("%v"));
    return std::make_shared<spdlog::logger>("t", std::move(sink));
}

TEST(TerminalSink, ALogLineWrittenUnderBarsStaysAboveThem) {
    TempFile file(std::tmpfile());
    ASSERT_TRUE(file);
    auto sink = std::make_shared<TerminalSink>(file.get(), true);
    auto logger = logger_on(sink);
    logger->info("slot created");
    sink->show_status({"bar a 10%", "bar b 20%", "total: 0/2"});
    logger->warn("table b: copy retried");
    sink->show_status({"bar a 50%", "bar b 60%", "total: 0/2"});
    sink->print_above("copied a");
    sink->show_status({"bar b 90%", "total: 1/2"});
    logger->info("caught up");

    std::vector<std::string> expected = {"slot created", "table b: copy retried", "copied a", "caught up", "bar b 90%",
                                         "total: 1/2"};
    EXPECT_EQ(render_screen(read_all(file.get())), expected) << read_all(file.get());

    sink->show_status({});
    expected.resize(4);
    EXPECT_EQ(render_screen(read_all(file.get())), expected);
}

TEST(TerminalSink, LinesFromManyThreadsAreNeitherLostNorTorn) {
    TempFile file(std::tmpfile());
    ASSERT_TRUE(file);
    auto sink = std::make_shared<TerminalSink>(file.get(), true);
    auto logger = logger_on(sink);
    constexpr int kThreads = 4;
    constexpr int kLines = 200;
    {
        std::vector<std::jthread> writers;
        for (int t = 0; t < kThreads; ++t)
            writers.emplace_back([&, t] {
                for (int i = 0; i < kLines; ++i) logger->info("writer {} line {}", t, i);
            });
        for (int i = 0; i < kLines; ++i) sink->show_status({"bar " + std::to_string(i), "total " + std::to_string(i)});
    }
    sink->show_status({});
    std::vector<std::string> screen = render_screen(read_all(file.get()));
    ASSERT_EQ(screen.size(), static_cast<std::size_t>(kThreads * kLines));
    for (int t = 0; t < kThreads; ++t) {
        int next = 0;
        for (const std::string& line : screen) {
            if (line.rfind("writer " + std::to_string(t) + " ", 0) == 0) {
                EXPECT_EQ(line, "writer " + std::to_string(t) + " line " + std::to_string(next++));
            }
        }
        EXPECT_EQ(next, kLines);
    }
}

TEST(TerminalSink, NotATerminalWritesPlainLinesAndNoStatus) {
    TempFile file(std::tmpfile());
    ASSERT_TRUE(file);
    auto sink = std::make_shared<TerminalSink>(file.get(), false);
    auto logger = logger_on(sink);
    sink->show_status({"bar a 10%"});
    logger->info("one");
    sink->print_above("two");
    EXPECT_EQ(read_all(file.get()), "one\ntwo\n");
}

}  // namespace
}  // namespace tidemark::log
