// The [source] include/exclude patterns must select exactly what the
// decoder's include/exclude options select (regress/decoder/sql/filters.sql
// and identifiers.sql run the same cases against the decoder), or the copy
// and the stream would disagree about which tables exist.
#include <gtest/gtest.h>

#include <stdexcept>

#include "catalog/table_pattern.hpp"
#include "catalog/unmatched_patterns.hpp"

namespace tidemark::catalog {
namespace {

bool sent(std::vector<std::string> include, std::vector<std::string> exclude, std::string_view schema,
          std::string_view table) {
    return TableFilter(include, exclude).selects(schema, table);
}

TEST(IdpTablePattern, ExactAndWildcards) {
    EXPECT_TRUE(sent({"sales.orders"}, {}, "sales", "orders"));
    EXPECT_FALSE(sent({"sales.orders"}, {}, "sales", "customers"));
    EXPECT_TRUE(sent({"sales.*"}, {}, "sales", "customers"));
    EXPECT_FALSE(sent({"sales.*"}, {}, "sales_archive", "orders"));
    EXPECT_TRUE(sent({"sales*.orders"}, {}, "sales_archive", "orders"));
    EXPECT_TRUE(sent({"*.orders"}, {}, "anything", "orders"));
    EXPECT_TRUE(sent({"s*s.*_*s"}, {}, "sales", "order_lines"));
    EXPECT_FALSE(sent({"s*s.*_*s"}, {}, "sales", "order_line"));
}

TEST(IdpTablePattern, NoIncludeMeansEverythingAndExcludeWins) {
    EXPECT_TRUE(sent({}, {}, "public", "t"));
    EXPECT_FALSE(sent({}, {"public.t"}, "public", "t"));
    EXPECT_TRUE(sent({"sales.order*"}, {"sales.order_lines"}, "sales", "orders"));
    EXPECT_FALSE(sent({"sales.order*"}, {"sales.order_lines"}, "sales", "order_lines"));
}

TEST(IdpTablePattern, CommaListsAsInTheDecoderOption) {
    EXPECT_TRUE(sent({"*.orders, sales.customers"}, {}, "sales", "customers"));
    EXPECT_TRUE(sent({"*.orders, sales.customers"}, {}, "x", "orders"));
    EXPECT_FALSE(sent({}, {"sales.*,sales_archive.*"}, "sales_archive", "x"));
    EXPECT_TRUE(sent({}, {"sales.*,sales_archive.*"}, "public", "x"));
}

TEST(IdpTablePattern, FoldingAndQuoting) {
    // Unquoted text folds to lower case; quoted text is literal.
    EXPECT_TRUE(sent({"SALES.Orders"}, {}, "sales", "orders"));
    EXPECT_FALSE(sent({"SALES.Orders"}, {}, "SALES", "Orders"));
    EXPECT_TRUE(sent({"\"Mixed Case\".\"Order Lines\""}, {}, "Mixed Case", "Order Lines"));
    EXPECT_FALSE(sent({"\"Mixed Case\".\"Order Lines\""}, {}, "mixed case", "order lines"));
    EXPECT_TRUE(sent({"\"Mixed Case\".order*"}, {}, "Mixed Case", "orders"));
    EXPECT_TRUE(sent({"\"Mixed Case\".\"Order\"*"}, {}, "Mixed Case", "Order Lines"));
    EXPECT_TRUE(sent({"public.\"a\"\"b\""}, {}, "public", "a\"b"));
    EXPECT_TRUE(sent({"public.\"Ünïcödé Tablé\""}, {}, "public", "Ünïcödé Tablé"));
    // A quoted star is a literal star, an unquoted one a wildcard.
    EXPECT_TRUE(sent({"public.\"star*name\""}, {}, "public", "star*name"));
    EXPECT_FALSE(sent({"public.\"star*name\""}, {}, "public", "starXname"));
    EXPECT_TRUE(sent({"public.star*name"}, {}, "public", "starXname"));
    // A quoted dot does not separate.
    EXPECT_TRUE(sent({"\"a.b\".c"}, {}, "a.b", "c"));
}

TEST(IdpTablePattern, IncludesSchemaForSequences) {
    TableFilter none;
    EXPECT_TRUE(none.includes_schema("anything"));
    TableFilter some({"sales.*", "\"Hr\".people"}, {"sales.secret*"});
    EXPECT_TRUE(some.includes_schema("sales"));
    EXPECT_TRUE(some.includes_schema("Hr"));
    EXPECT_FALSE(some.includes_schema("hr"));
    EXPECT_FALSE(some.includes_schema("public"));
    EXPECT_TRUE(some.excludes("sales", "secret_seq"));
    EXPECT_FALSE(some.excludes("sales", "orders_seq"));
}

TEST(IdpTablePattern, RejectsWhatTheDecoderRejects) {
    for (const char* bad :
         {"", "orders", "a.b.c", "public.", ".orders", "public.\"orders", "public.a b", "public.a,", " , public.a"}) {
        EXPECT_THROW(TableFilter({bad}, {}), std::invalid_argument) << "pattern: [" << bad << "]";
    }
    // Whitespace around a pattern is fine.
    EXPECT_TRUE(sent({"  public.t  "}, {}, "public", "t"));
}

TEST(IdpTablePattern, ErrorNamesThePattern) {
    try {
        TableFilter({"public.ok", "a.b.c"}, {});
        FAIL() << "a.b.c was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("\"a.b.c\""), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("exactly one dot"), std::string::npos) << e.what();
    }
}

TEST(IdpTablePattern, PatternsThatSelectNoTableAreNamedWithWhatTheyMayHaveMeant) {
    const std::vector<TableName> tables{{"public", "Orders"}, {"public", "items"}, {"Sales", "leads"}};
    auto unmatched = unmatched_patterns(
        {"public.items", "public.Orders", "public.nosuch", "sales.*", "\"Sales\".*", "public.*"}, tables);
    ASSERT_EQ(unmatched.size(), 3u);
    EXPECT_EQ(unmatched[0].pattern, "public.Orders");
    EXPECT_EQ(unmatched[0].alike, std::vector<std::string>{"\"public\".\"Orders\""});
    EXPECT_EQ(unmatched[1].pattern, "public.nosuch");
    EXPECT_TRUE(unmatched[1].alike.empty());
    EXPECT_EQ(unmatched[2].pattern, "sales.*");
    EXPECT_EQ(unmatched[2].alike, std::vector<std::string>{"\"Sales\".\"leads\""});
    EXPECT_EQ(describe(unmatched),
              "include patterns that select no table: \"public.Orders\" (did you mean \"public\".\"Orders\"? names "
              "with capitals need double quotes in the pattern); \"public.nosuch\"; \"sales.*\" (did you mean "
              "\"Sales\".\"leads\"? names with capitals need double quotes in the pattern) (a table created later that "
              "matches is streamed)");
    // A list in one item matches when any of its patterns does.
    EXPECT_TRUE(unmatched_patterns({"public.nosuch,public.items"}, tables).empty());
}

}  // namespace
}  // namespace tidemark::catalog
