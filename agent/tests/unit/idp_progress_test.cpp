// What the progress observers print: the bar's numbers must come from the
// counters (a stale or wrong ETA misleads an operator for hours), the log
// lines must not flood, and the terminal output must erase what it drew.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "idp/initial_copy.hpp"
#include "idp/terminal_progress.hpp"
#include "terminal_screen.hpp"

namespace tidemark::idp {
namespace {

TEST(IdpProgress, FormatBytes) {
    EXPECT_EQ(format_bytes(0), "0 B");
    EXPECT_EQ(format_bytes(999), "999 B");
    EXPECT_EQ(format_bytes(1500), "1.5 kB");
    EXPECT_EQ(format_bytes(114000021), "114.0 MB");
    EXPECT_EQ(format_bytes(2'500'000'000'000LL), "2.5 TB");
    EXPECT_EQ(format_bytes(-5), "0 B");
}

TEST(IdpProgress, BarShowsPercentRateAndEta) {
    TableProgress t;
    t.table = "\"public\".\"pgbench_accounts\"";
    t.phase = TablePhase::copying;
    t.rows = 2'500'000;
    t.bytes = 285'000'000;
    t.expected_rows = 10'000'000;
    t.elapsed = std::chrono::seconds(5);  // 500k rows/s: 7.5M rows left is 15 s
    std::string line = TerminalProgress::bar_line(t, 120);
    EXPECT_NE(line.find(" 25%"), std::string::npos) << line;
    EXPECT_NE(line.find("2.5M rows"), std::string::npos) << line;
    EXPECT_NE(line.find("285.0 MB"), std::string::npos) << line;
    EXPECT_NE(line.find("500.0k/s"), std::string::npos) << line;
    EXPECT_NE(line.find("ETA 00:15"), std::string::npos) << line;
}

TEST(IdpProgress, BarWithoutEstimate) {
    TableProgress t;
    t.table = "\"public\".\"t\"";
    t.rows = 10;
    std::string line = TerminalProgress::bar_line(t, 100);
    EXPECT_NE(line.find("?%"), std::string::npos) << line;
    EXPECT_NE(line.find("ETA --:--"), std::string::npos) << line;
}

TEST(IdpProgress, LongNamesKeepTheirEndAndWholeCharacters) {
    TableProgress t;
    t.table = "\"a_very_long_schema_name_indeed\".\"tablé_with_a_long_name_é\"";
    std::string line = TerminalProgress::bar_line(t, 80);
    ASSERT_TRUE(line.starts_with("..")) << line;
    EXPECT_NE(line.find("long_name_é\""), std::string::npos) << line;
    // Every multibyte sequence is whole: no continuation byte after "..".
    EXPECT_NE(static_cast<unsigned char>(line[2]) & 0xC0, 0x80) << line;
}

TEST(IdpProgress, TerminalRedrawsInPlaceAndKeepsFinishedTables) {
    test::TempFile file(std::tmpfile());
    ASSERT_TRUE(file);
    auto terminal = std::make_shared<log::TerminalSink>(file.get(), true);
    CopyProgress p;
    p.tables.resize(2);
    p.tables[0].table = "\"public\".\"a\"";
    p.tables[0].phase = TablePhase::copying;
    p.tables[1].table = "\"public\".\"b\"";
    p.tables[1].phase = TablePhase::copying;
    TableCopyResult done;
    done.source_table = "\"public\".\"a\"";
    done.rows = 42;
    done.bytes = 1000;
    done.seconds = std::chrono::seconds(2);
    {
        TerminalProgress progress(terminal, 100);
        progress.started(p);
        progress.update(p);
        std::vector<std::string> screen = test::render_screen(test::read_all(file.get()));
        // Two bars and a total line, each drawn once however often redrawn.
        ASSERT_EQ(screen.size(), 3u);
        EXPECT_EQ(screen[0].rfind("\"public\".\"a\"", 0), 0u) << screen[0];
        EXPECT_EQ(screen[1].rfind("\"public\".\"b\"", 0), 0u) << screen[1];
        EXPECT_EQ(screen[2].rfind("total: 0/2 tables", 0), 0u) << screen[2];

        progress.table_finished(done);
        screen = test::render_screen(test::read_all(file.get()));
        ASSERT_EQ(screen.size(), 3u);
        EXPECT_EQ(screen[0].rfind("copied \"public\".\"a\": 42 rows", 0), 0u) << screen[0];
        EXPECT_EQ(screen[1].rfind("\"public\".\"b\"", 0), 0u) << screen[1];
        EXPECT_EQ(screen[2].rfind("total: 1/2 tables", 0), 0u) << screen[2];
    }
    // A copy that ends without finished() (an error) leaves no bars behind.
    std::vector<std::string> screen = test::render_screen(test::read_all(file.get()));
    ASSERT_EQ(screen.size(), 1u);

    TerminalProgress progress(terminal, 100);
    progress.started(p);
    CopyResult result;
    result.tables.push_back(done);
    result.rows = 42;
    progress.finished(result);
    screen = test::render_screen(test::read_all(file.get()));
    ASSERT_EQ(screen.size(), 2u);
    EXPECT_EQ(screen[1].rfind("initial copy: 1 tables, 42 rows", 0), 0u) << screen[1];
}

}  // namespace
}  // namespace tidemark::idp
