// The [conflicts] and [late_data] sections: defaults, every key, and the
// message of each mistake.
#include <gtest/gtest.h>

#include <string>

#include "config/config_error.hpp"
#include "config/config_loader.hpp"

namespace tidemark::config {
namespace {

const std::string kBase =
    "[source]\nconninfo = \"host=a\"\ninclude = [\"public.*\"]\n[target]\nconninfo = \"host=b\"\n";

std::string error_of(const std::string& tail) {
    try {
        parse_config(kBase + tail);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(ConflictConfig, AbsentSectionsLeaveDetectionOff) {
    Config c = parse_config(kBase);
    EXPECT_FALSE(c.conflicts);
    EXPECT_FALSE(c.late_data);
}

TEST(ConflictConfig, EmptySectionsTurnItOnWithDefaults) {
    Config c = parse_config(kBase + "[conflicts]\n[late_data]\n");
    ASSERT_TRUE(c.conflicts);
    EXPECT_EQ(c.conflicts->default_strategy, Strategy::last_write_wins);
    EXPECT_TRUE(c.conflicts->rules.empty());
    ASSERT_TRUE(c.late_data);
    EXPECT_EQ(c.late_data->tolerance, std::chrono::minutes(5));
    EXPECT_EQ(c.late_data->max_clock_skew, std::chrono::minutes(1));
    EXPECT_EQ(c.late_data->tombstone_retention, std::chrono::hours(24 * 7));
}

TEST(ConflictConfig, ReadsEveryKey) {
    Config c = parse_config(kBase +
                            "[conflicts]\ndefault = \"manual_review\"\nsource_priority = [\"system_a\", \"system_b\"]\n"
                            "[[conflicts.rules]]\ntable = \"public.customers\"\ncolumns = [\"email\"]\n"
                            "strategy = \"source_wins\"\n"
                            "[[conflicts.rules]]\ntable = \"Customers\"\ncolumns = [\"status\", \"note\"]\n"
                            "strategy = \"error\"\n"
                            "[late_data]\ntolerance = \"10 minutes\"\nmax_clock_skew = \"30s\"\n"
                            "tombstone_retention = \"2 days\"\n"
                            "[[late_data.tables]]\ntable = \"public.orders\"\nversion_column = \"updated_at\"\n"
                            "soft_delete_column = \"deleted_at\"\nsoft_delete = \"propagate\"\n");
    EXPECT_EQ(c.conflicts->default_strategy, Strategy::manual_review);
    EXPECT_EQ(c.conflicts->source_priority, (std::vector<std::string>{"system_a", "system_b"}));
    ASSERT_EQ(c.conflicts->rules.size(), 2u);
    EXPECT_EQ(c.conflicts->rules[1].schema, "public");
    EXPECT_EQ(c.conflicts->rules[1].name, "customers");
    EXPECT_EQ(c.conflicts->rules[1].strategy, Strategy::error);
    EXPECT_EQ(c.late_data->tolerance, std::chrono::minutes(10));
    EXPECT_EQ(c.late_data->max_clock_skew, std::chrono::seconds(30));
    ASSERT_EQ(c.late_data->tables.size(), 1u);
    EXPECT_EQ(*c.late_data->tables[0].version_column, "updated_at");
    EXPECT_EQ(c.late_data->tables[0].soft_delete, SoftDeleteMode::propagate);
}

TEST(ConflictConfig, MistakesNameTheKeyAndTheFix) {
    EXPECT_NE(error_of("[conflicts]\ndefault = \"newest\"\n").find("valid values: last_write_wins"), std::string::npos);
    EXPECT_NE(error_of("[conflicts]\nsource_priority = [\"a\", \"a\"]\n").find("listed twice"), std::string::npos);
    EXPECT_NE(error_of("[conflicts]\n[[conflicts.rules]]\ntable = \"sales.orders\"\ncolumns = [\"x\"]\n"
                       "strategy = \"error\"\n")
                  .find("\"sales.orders\" is not streamed"),
              std::string::npos);
    EXPECT_NE(error_of("[conflicts]\n[[conflicts.rules]]\ntable = \"public.t\"\nstrategy = \"error\"\n")
                  .find("columns is required"),
              std::string::npos);
    EXPECT_NE(error_of("[conflicts]\n[[conflicts.rules]]\ntable = \"public.t\"\ncolumns = [\"a\"]\n")
                  .find("strategy is required"),
              std::string::npos);
    EXPECT_NE(error_of("[conflicts]\n[[conflicts.rules]]\ntable = \"public.t\"\ncolumns = [\"a\"]\nstrategy = "
                       "\"error\"\ncolumn = 1\n")
                  .find("[[conflicts.rules]] #1 unknown key \"column\""),
              std::string::npos);
    EXPECT_NE(error_of("[conflicts]\n[[conflicts.rules]]\ntable = \"public.t\"\ncolumns = [\"a\"]\nstrategy = "
                       "\"error\"\n[[conflicts.rules]]\ntable = \"public.t\"\ncolumns = [\"a\"]\nstrategy = "
                       "\"source_wins\"\n")
                  .find("already has a rule"),
              std::string::npos);
    EXPECT_NE(error_of("[late_data]\ntolerance = \"soon\"\n").find("[late_data] tolerance"), std::string::npos);
    EXPECT_NE(error_of("[late_data]\n[[late_data.tables]]\ntable = \"public.t\"\nsoft_delete = \"delete\"\n")
                  .find("needs soft_delete_column"),
              std::string::npos);
    EXPECT_NE(error_of("[late_data]\n[[late_data.tables]]\ntable = \"public.*\"\n").find("no wildcard"),
              std::string::npos);
    EXPECT_NE(error_of("[conflicts]\nrules = 3\n").find("a list of tables"), std::string::npos);
}

}  // namespace
}  // namespace tidemark::config
