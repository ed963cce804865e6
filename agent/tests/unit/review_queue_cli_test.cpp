// Unit tests of the review queue's command line, the [source] origin key
// and the SQL that writes a conflict's parked values: what a user types
// and what reaches the target, without a database.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "checkpoint/copy_origin.hpp"
#include "checkpoint/replication_origin.hpp"
#include "cli/command_line.hpp"
#include "cli/usage_error.hpp"
#include "config/config_error.hpp"
#include "config/config_loader.hpp"
#include "conflict_review/resolver_identity.hpp"
#include "conflict_review/row_statements.hpp"

namespace tidemark {
namespace {

using cli::Command;
using cli::UsageError;

cli::CommandLine parse(std::vector<std::string_view> args) { return cli::parse_command_line(args); }

TEST(ConflictsCommandLine, ParsesListAndResolve) {
    auto list = parse({"conflicts", "list", "-c", "a.toml"});
    EXPECT_EQ(list.command, Command::conflicts_list);
    EXPECT_FALSE(list.conflicts.json);
    EXPECT_FALSE(list.conflicts.pending);
    auto pending = parse({"conflicts", "list", "--config=a.toml", "--json", "--pending"});
    EXPECT_TRUE(pending.conflicts.json);
    EXPECT_TRUE(pending.conflicts.pending);

    auto keep_source = parse({"conflicts", "resolve", "-c", "a.toml", "42", "--keep", "source"});
    EXPECT_EQ(keep_source.command, Command::conflicts_resolve);
    EXPECT_EQ(keep_source.conflicts.id, 42);
    EXPECT_EQ(keep_source.conflicts.keep, cli::KeepSide::source);
    auto keep_target = parse({"conflicts", "resolve", "--keep=target", "7", "-c", "a.toml"});
    EXPECT_EQ(keep_target.conflicts.id, 7);
    EXPECT_EQ(keep_target.conflicts.keep, cli::KeepSide::target);
}

TEST(ConflictsCommandLine, RefusesIncompleteOrWrongRequests) {
    EXPECT_THROW(parse({"conflicts", "-c", "a.toml"}), UsageError);
    EXPECT_THROW(parse({"conflicts", "settle", "-c", "a.toml"}), UsageError);
    EXPECT_THROW(parse({"conflicts", "list"}), UsageError);                                      // no -c
    EXPECT_THROW(parse({"conflicts", "list", "-c", "a.toml", "--keep", "source"}), UsageError);  // resolve only
    EXPECT_THROW(parse({"conflicts", "list", "-c", "a.toml", "3"}), UsageError);
    EXPECT_THROW(parse({"conflicts", "resolve", "-c", "a.toml", "--keep", "source"}), UsageError);  // no ID
    EXPECT_THROW(parse({"conflicts", "resolve", "-c", "a.toml", "3"}), UsageError);                 // no --keep
    EXPECT_THROW(parse({"conflicts", "resolve", "-c", "a.toml", "3", "--keep", "both"}), UsageError);
    EXPECT_THROW(parse({"conflicts", "resolve", "-c", "a.toml", "0", "--keep", "source"}), UsageError);
    EXPECT_THROW(parse({"conflicts", "resolve", "-c", "a.toml", "12x", "--keep", "source"}), UsageError);
    EXPECT_THROW(parse({"conflicts", "resolve", "-c", "a.toml", "1", "2", "--keep", "source"}), UsageError);
    EXPECT_THROW(parse({"conflicts", "resolve", "-c", "a.toml", "1", "--keep", "source", "--keep", "target"}),
                 UsageError);
    EXPECT_THROW(parse({"conflicts", "resolve", "-c", "a.toml", "1", "--keep", "source", "--pending"}), UsageError);
}

const std::string kMinimal = "[source]\nconninfo = \"host=a dbname=x\"\n[target]\nconninfo = \"host=b dbname=y\"\n";

TEST(SourceOriginConfig, DefaultsToAnyAndTakesNone) {
    EXPECT_EQ(config::parse_config(kMinimal, "t").source.origin, config::OriginFilter::any);
    auto none = config::parse_config(
        "[source]\nconninfo = \"host=a dbname=x\"\norigin = \"none\"\n[target]\nconninfo = \"host=b dbname=y\"\n", "t");
    EXPECT_EQ(none.source.origin, config::OriginFilter::none);
    EXPECT_EQ(config::to_string(none.source.origin), "none");
}

TEST(SourceOriginConfig, RefusesOtherValuesNamingTheValidOnes) {
    try {
        config::parse_config(
            "[source]\nconninfo = \"host=a dbname=x\"\norigin = \"local\"\n[target]\nconninfo = \"host=b\"\n", "t");
        FAIL() << "origin = \"local\" must be refused";
    } catch (const config::ConfigError& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("origin"), std::string::npos) << message;
        EXPECT_NE(message.find("any, none"), std::string::npos) << message;
    }
}

TEST(CopyOriginName, IsThePipelineOriginWithTheJobNumber) {
    EXPECT_EQ(checkpoint::copy_origin_name("app", 1), "tidemark_app_copy1");
    EXPECT_EQ(checkpoint::copy_origin_name("app", 12), "tidemark_app_copy12");
    // A name the origin rule rewrites keeps the rewritten form and its hash.
    std::string long_name(100, 'x');
    EXPECT_EQ(checkpoint::copy_origin_name(long_name, 3), checkpoint::origin_name_for(long_name) + "_copy3");
    EXPECT_EQ(checkpoint::copy_origin_name("Sales-EU", 2), checkpoint::origin_name_for("Sales-EU") + "_copy2");
    EXPECT_LT(checkpoint::copy_origin_name(long_name, 256).size(), 512u);  // PostgreSQL's MAX_RONAME_LEN
}

TEST(RowStatements, QuoteEveryIdentifierAndMatchByEveryKeyColumn) {
    conflict_review::RowStatements sql{"\"s\".\"Order\"", {"id", "we\"ird"}};
    EXPECT_EQ(sql.update({"email", "Status"}),
              "UPDATE \"s\".\"Order\" AS t SET \"email\" = v.\"email\", \"Status\" = v.\"Status\" FROM "
              "jsonb_populate_record(NULL::\"s\".\"Order\", $1::jsonb) AS v, "
              "jsonb_populate_record(NULL::\"s\".\"Order\", $2::jsonb) AS k "
              "WHERE t.\"id\" = k.\"id\" AND t.\"we\"\"ird\" = k.\"we\"\"ird\"");
    EXPECT_EQ(sql.insert({"id", "we\"ird", "email"}),
              "INSERT INTO \"s\".\"Order\" (\"id\", \"we\"\"ird\", \"email\") OVERRIDING SYSTEM VALUE SELECT v.\"id\", "
              "v.\"we\"\"ird\", v.\"email\" FROM jsonb_populate_record(NULL::\"s\".\"Order\", $1::jsonb || $2::jsonb) "
              "AS v");
    EXPECT_EQ(sql.delete_row(),
              "DELETE FROM \"s\".\"Order\" AS t USING jsonb_populate_record(NULL::\"s\".\"Order\", $1::jsonb) AS k "
              "WHERE t.\"id\" = k.\"id\" AND t.\"we\"\"ird\" = k.\"we\"\"ird\"");
    EXPECT_EQ(sql.select_row(),
              "SELECT to_jsonb(t) FROM \"s\".\"Order\" AS t, jsonb_populate_record(NULL::\"s\".\"Order\", $1::jsonb) "
              "AS k WHERE t.\"id\" = k.\"id\" AND t.\"we\"\"ird\" = k.\"we\"\"ird\"");
}

TEST(RowStatements, RefuseEmptyKeysAndColumnLists) {
    conflict_review::RowStatements no_key{"\"public\".\"t\"", {}};
    EXPECT_THROW(no_key.delete_row(), std::invalid_argument);
    conflict_review::RowStatements sql{"\"public\".\"t\"", {"id"}};
    EXPECT_THROW(sql.update({}), std::invalid_argument);
    EXPECT_THROW(sql.insert({}), std::invalid_argument);
}

TEST(ResolverIdentity, NamesTheRoleAndTheOsUser) {
    EXPECT_EQ(conflict_review::resolver_label("postgres", "alice"), "postgres (os: alice)");
    EXPECT_FALSE(conflict_review::os_user().empty());
}

}  // namespace
}  // namespace tidemark
