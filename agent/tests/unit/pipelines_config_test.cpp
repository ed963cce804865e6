// Unit tests of [[pipelines]]: what they read, the order they run in, and
// the collisions refused before anything runs (a name, a slot, a table
// that two pipelines would both apply), with the pattern overlap check
// they rest on; and the --reseed option that names tables across them.
#include <gtest/gtest.h>

#include <string>

#include "catalog/pattern_overlap.hpp"
#include "cli/command_line.hpp"
#include "cli/usage_error.hpp"
#include "config/config_error.hpp"
#include "config/config_loader.hpp"
#include "sync/pipeline_set.hpp"

namespace tidemark::config {
namespace {

const std::string kSides =
    "[source]\nconninfo = \"host=src dbname=app\"\n"
    "[target]\nconninfo = \"host=dst dbname=app\"\n";

std::string error_of(const std::string& text) {
    try {
        parse_config(text);
    } catch (const ConfigError& e) {
        // Every message starts alike; what follows is what differs.
        std::string text = e.what();
        const std::string prefix = "config error: ";
        return text.starts_with(prefix) ? text.substr(prefix.size()) : text;
    }
    return "(no error)";
}

std::string pipeline(const std::string& name, const std::string& rest) {
    return "[[pipelines]]\nname = \"" + name + "\"\n" + rest + "\n";
}

TEST(PipelinesConfig, WithoutPipelinesSourceIsTheOnePipeline) {
    Config c = parse_config(kSides);
    EXPECT_TRUE(c.pipelines.empty());
    auto set = pipelines_by_priority(c);
    ASSERT_EQ(set.size(), 1u);
    EXPECT_EQ(set[0].name, "tidemark");
    EXPECT_EQ(set[0].slot, "tidemark");
    EXPECT_EQ(c.sync.on_busy, OnBusy::exit);
    EXPECT_FALSE(c.sync.max_parallel_pipelines.has_value());
    EXPECT_FALSE(c.target.max_connections.has_value());
    // Four copy jobs and the one apply session.
    EXPECT_EQ(default_max_connections(c), 5);
}

TEST(PipelinesConfig, ReadsEachPipelineAndOrdersThemByPriority) {
    Config c = parse_config(kSides + "[sync]\nmax_parallel_pipelines = 2\non_busy = \"wait\"\ncopy_jobs = 3\n" +
                            pipeline("billing", "include = [\"billing.*\"]\npriority = 1") +
                            pipeline("orders",
                                     "slot = \"orders_slot\"\ninclude = [\"public.orders*\"]\n"
                                     "exclude = [\"public.orders_tmp\"]\npriority = 10") +
                            pipeline("audit", "include = [\"audit.*\"]"));
    ASSERT_EQ(c.pipelines.size(), 3u);
    EXPECT_EQ(c.pipelines[0].slot, "billing");  // the name, when it is a valid slot name
    EXPECT_EQ(c.pipelines[1].slot, "orders_slot");
    EXPECT_EQ(c.pipelines[1].exclude, (std::vector<std::string>{"public.orders_tmp"}));
    EXPECT_EQ(c.sync.on_busy, OnBusy::wait);
    EXPECT_EQ(c.sync.max_parallel_pipelines, 2);
    auto order = pipelines_by_priority(c);
    EXPECT_EQ(order[0].name, "orders");
    EXPECT_EQ(order[1].name, "billing");
    EXPECT_EQ(order[2].name, "audit");
    // Three copy jobs, plus an apply session for each of the two at once.
    EXPECT_EQ(default_max_connections(c), 5);

    Config one = config_for(c, order[0]);
    EXPECT_EQ(one.source.name, "orders");
    EXPECT_EQ(one.source.slot, "orders_slot");
    EXPECT_EQ(one.source.include, (std::vector<std::string>{"public.orders*"}));
    EXPECT_EQ(one.source.conninfo, "host=src dbname=app");
    EXPECT_TRUE(one.pipelines.empty());
}

TEST(PipelinesConfig, RefusesTheSameNameTwice) {
    EXPECT_EQ(error_of(kSides + pipeline("app", "slot = \"a1\"\ninclude = [\"a.*\"]") +
                       pipeline("app", "slot = \"a2\"\ninclude = [\"b.*\"]")),
              "[[pipelines]] name \"app\" is used twice; each pipeline needs a name of its own (it keys its state on "
              "the target)");
}

TEST(PipelinesConfig, RefusesANameWhoseOriginReadsAsAnotherPipelinesCopyOrigin) {
    std::string e = error_of(kSides + pipeline("app_copy2", "slot = \"a1\"\ninclude = [\"a.*\"]"));
    EXPECT_NE(e.find("[[pipelines]] #1 name = \"app_copy2\" is not valid; the pipeline name \"app_copy2\" gives "
                     "replication origin tidemark_app_copy2, which is also the name of a copy origin of the pipeline "
                     "whose origin is tidemark_app"),
              std::string::npos)
        << e;
}

TEST(PipelinesConfig, RefusesTheSameSlotTwice) {
    EXPECT_EQ(error_of(kSides + pipeline("one", "slot = \"shared\"\ninclude = [\"a.*\"]") +
                       pipeline("two", "slot = \"shared\"\ninclude = [\"b.*\"]")),
              "[[pipelines]] \"one\" and \"two\" both use slot \"shared\"; each pipeline streams from a slot of its "
              "own");
}

TEST(PipelinesConfig, RefusesATableIncludedByTwoPipelinesNamingBoth) {
    std::string e = error_of(kSides + pipeline("orders", "include = [\"public.orders\"]") +
                             pipeline("everything", "include = [\"public.*\"]"));
    EXPECT_NE(e.find("\"orders\" and \"everything\" can both include the same table"), std::string::npos) << e;
    EXPECT_NE(e.find("for example public.orders"), std::string::npos) << e;
    EXPECT_NE(e.find("applied twice"), std::string::npos) << e;

    // No include at all is every table: it overlaps anything.
    e = error_of(kSides + pipeline("a", "include = [\"x.y\"]") + pipeline("b", ""));
    EXPECT_NE(e.find("\"a\" and \"b\" can both include"), std::string::npos) << e;
    EXPECT_NE(e.find("\"b\" includes *.*"), std::string::npos) << e;
}

TEST(PipelinesConfig, AcceptsPatternsThatAnExcludeKeepsApart) {
    Config c = parse_config(kSides + pipeline("orders", "include = [\"public.orders\"]") +
                            pipeline("rest", "include = [\"public.*\"]\nexclude = [\"public.orders\"]"));
    EXPECT_EQ(c.pipelines.size(), 2u);
}

TEST(PipelinesConfig, RefusesSourceKeysThatEachPipelineOwns) {
    EXPECT_EQ(error_of("[source]\nconninfo = \"host=src\"\nslot = \"s\"\n[target]\nconninfo = \"host=dst\"\n" +
                       pipeline("a", "include = [\"a.*\"]")),
              "[source] slot is set, but with [[pipelines]] each pipeline names its own slot; move it into the "
              "[[pipelines]] it belongs to ([source] keeps the conninfo they share)");
}

TEST(PipelinesConfig, RefusesBadEntries) {
    EXPECT_EQ(error_of(kSides + "[pipelines]\nname = \"a\"\n"),
              "pipelines must be written as [[pipelines]] sections (an array of tables), one per pipeline");
    EXPECT_EQ(error_of("pipelines = []\n" + kSides),
              "pipelines is empty; leave it out to run [source] as the one pipeline");
    EXPECT_EQ(error_of(kSides + "[[pipelines]]\nslot = \"a\"\n"), "[[pipelines]] #1 name is required");
    EXPECT_EQ(error_of(kSides + pipeline("a", "include = [\"a.*\"]\nprio = 3")),
              "[[pipelines]] \"a\" unknown key \"prio\"; valid keys: name, slot, include, exclude, priority");
    EXPECT_EQ(error_of(kSides + pipeline("Sales Team", "include = [\"a.*\"]")),
              "[[pipelines]] \"Sales Team\" needs a slot: its name is not a valid slot name to default to "
              "(lowercase letters, digits and underscores, at most 63 characters)");
    EXPECT_EQ(error_of(kSides + pipeline("a", "include = [\"a.*\"]\npriority = \"high\"")),
              "[[pipelines]] \"a\" priority = \"high\" is not valid; expected an integer");
    EXPECT_EQ(error_of(kSides + "[sync]\non_busy = \"queue\"\n"),
              "[sync] on_busy = \"queue\" is not valid; valid values: exit, wait");
}

TEST(PipelinesConfig, RefusesABudgetBelowThePipelinesRunningAtOnce) {
    EXPECT_EQ(error_of("[source]\nconninfo = \"host=src\"\n[target]\nconninfo = \"host=dst\"\nmax_connections = 1\n" +
                       pipeline("a", "include = [\"a.*\"]") + pipeline("b", "include = [\"b.*\"]")),
              "[target] max_connections = 1 is not valid; each of the 2 pipelines that run at once keeps an apply "
              "session: allow at least 2, or lower [sync] max_parallel_pipelines");
    Config c = parse_config(
        "[source]\nconninfo = \"host=src\"\n[target]\nconninfo = \"host=dst\"\n"
        "max_connections = 1\n[sync]\nmax_parallel_pipelines = 1\n" +
        pipeline("a", "include = [\"a.*\"]") + pipeline("b", "include = [\"b.*\"]"));
    EXPECT_EQ(c.target.max_connections, 1);
}

TEST(PipelinesConfig, ReportFilesGetThePipelineName) {
    EXPECT_EQ(sync::report_file_for("/var/lib/tm/report.json", "orders").string(), "/var/lib/tm/report.orders.json");
    EXPECT_EQ(sync::report_file_for("out", "a b/c").string(), "out.a_b_c");
}

}  // namespace
}  // namespace tidemark::config

namespace tidemark::catalog {
namespace {

std::optional<std::string> shared(std::vector<std::string> inc_a, std::vector<std::string> exc_a,
                                  std::vector<std::string> inc_b, std::vector<std::string> exc_b = {}) {
    auto s = shared_table({inc_a, exc_a}, {inc_b, exc_b});
    if (!s) return std::nullopt;
    return s->example;
}

TEST(PatternOverlap, FindsANameBothSelect) {
    EXPECT_EQ(shared({"public.*"}, {}, {"public.orders"}), "public.orders");
    EXPECT_EQ(shared({"public.a*"}, {}, {"public.*b"}), "public.ab");
    EXPECT_EQ(shared({"*.t"}, {}, {"s.*"}), "s.t");
    // Unquoted names fold to lower case, as in the decoder.
    EXPECT_EQ(shared({"Public.Orders"}, {}, {"public.orders"}), "public.orders");
}

TEST(PatternOverlap, KeepsApartWhatCannotMeet) {
    EXPECT_EQ(shared({"public.*"}, {}, {"sales.*"}), std::nullopt);
    EXPECT_EQ(shared({"public.a*"}, {}, {"public.b*"}), std::nullopt);
    // The separator is not a character of a name: "a.b" and "a*" never
    // meet across it.
    EXPECT_EQ(shared({"a.b*"}, {}, {"a*.c"}), std::nullopt);
    // A quoted name is literal: its star matches only a star.
    EXPECT_EQ(shared({"public.\"a*\""}, {}, {"public.ab"}), std::nullopt);
}

TEST(PatternOverlap, HonoursTheExcludesOfEitherSide) {
    EXPECT_EQ(shared({"public.*"}, {"public.orders"}, {"public.orders"}), std::nullopt);
    EXPECT_EQ(shared({"public.orders"}, {}, {"public.*"}, {"public.orders"}), std::nullopt);
    // An exclude of one name leaves the longer ones in.
    auto longer = shared({"public.*"}, {"public.orders"}, {"public.orders*"});
    ASSERT_TRUE(longer.has_value());
    EXPECT_TRUE(longer->starts_with("public.orders") && *longer != "public.orders") << *longer;
    EXPECT_EQ(shared({"*.*"}, {"public.*"}, {"public.*"}), std::nullopt);
}

}  // namespace
}  // namespace tidemark::catalog

namespace tidemark::cli {
namespace {

CommandLine parse(std::vector<std::string_view> args) { return parse_command_line(args); }

TEST(ReseedOption, IsRepeatedForSeveralTables) {
    auto cl = parse({"sync", "-c", "f.toml", "--reseed", "public.a", "--reseed=sales.*"});
    EXPECT_EQ(cl.sync.reseed, (std::vector<std::string>{"public.a", "sales.*"}));
}

TEST(ReseedOption, DoesNotGoWithReset) {
    try {
        parse({"sync", "-c", "f.toml", "--reset", "--reseed", "public.a"});
        FAIL() << "--reset with --reseed must be refused";
    } catch (const UsageError& e) {
        EXPECT_STREQ(e.what(), "--reseed and --reset do not go together: --reset copies every table again already");
    }
}

}  // namespace
}  // namespace tidemark::cli

namespace tidemark::config {
namespace {

TEST(SelectPipeline, PicksOneOfSeveralByName) {
    Config c = parse_config(
        "[source]\nconninfo = \"host=src\"\n[target]\nconninfo = \"host=dst\"\n"
        "[[pipelines]]\nname = \"a\"\ninclude = [\"a.*\"]\n[[pipelines]]\nname = \"b\"\ninclude = [\"b.*\"]\n");
    EXPECT_EQ(select_pipeline(c, "b").source.slot, "b");
    try {
        select_pipeline(c, std::nullopt);
        FAIL() << "two pipelines and no name must be refused";
    } catch (const ConfigError& e) {
        EXPECT_STREQ(e.what(),
                     "config error: the configuration has 2 [[pipelines]]; name the one to act on (\"a\", \"b\")");
    }
    EXPECT_THROW(select_pipeline(c, "c"), ConfigError);
    Config one = parse_config("[source]\nconninfo = \"host=src\"\n[target]\nconninfo = \"host=dst\"\n");
    EXPECT_EQ(select_pipeline(one, std::nullopt).source.name, "tidemark");
    EXPECT_THROW(select_pipeline(one, "other"), ConfigError);
}

}  // namespace
}  // namespace tidemark::config
