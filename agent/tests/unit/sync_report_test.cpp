// The sync report's shape and numbers, the JSON text it is written with,
// and the statistics statement behind it.
#include "sync/sync_report.hpp"

#include <gtest/gtest.h>

#include "apply/json_text.hpp"
#include "state/table_stats.hpp"

namespace tidemark {
namespace {

TEST(JsonText, EscapesAndReplacesInvalidUtf8) {
    EXPECT_EQ(apply::json_string("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
    EXPECT_EQ(apply::json_string("ünï ✓"), "\"ünï ✓\"");
    EXPECT_EQ(apply::json_string(std::string("\xff"
                                             "a")),
              "\"\\ufffda\"");
    EXPECT_EQ(apply::JsonObject().str("k", "v").num("n", 3LL).null("z").text(),
              "{\"k\": \"v\", \"n\": 3, \"z\": null}");
}

TEST(TableStats, UpsertAddsEveryTableInOneStatement) {
    state::StatsDeltas d;
    d["\"public\".\"a\""].inserted = 3;
    d["\"public\".\"a\""].note_commit(0, pg::Lsn(0x10));
    d["\"x\".\"b,c\""].deleted = 2;
    auto s = state::stats_upsert("p1", d);
    ASSERT_EQ(s.params.size(), 9u);
    EXPECT_EQ(*s.params[0], "p1");
    // Names are quoted inside the array literal, so a comma in a name
    // cannot split it.
    EXPECT_EQ(*s.params[1], R"({"\"public\".\"a\"","\"x\".\"b,c\""})");
    EXPECT_EQ(*s.params[2], R"({"3","0"})");
    EXPECT_EQ(*s.params[4], R"({"0","2"})");
    EXPECT_EQ(*s.params[8], R"({"0/10",NULL})");
    EXPECT_NE(s.sql.find("ON CONFLICT (pipeline, source_table) DO UPDATE"), std::string::npos);
}

TEST(TableStats, MergeKeepsTheLatestCommit) {
    state::TableStatsDelta a, b;
    a.updated = 1;
    a.note_commit(100, pg::Lsn(0x20));
    b.updated = 2;
    b.note_commit(50, pg::Lsn(0x10));
    a.merge(b);
    EXPECT_EQ(a.updated, 3);
    EXPECT_EQ(*a.last_commit_lsn, pg::Lsn(0x20));
    EXPECT_EQ(*a.last_commit_time, 100);
}

TEST(SyncReport, HasTheSeedShapeAndThisRunsNumbers) {
    sync::RunSummary run;
    run.sync_id = sync::new_sync_id();
    run.source = "host=a password=********";
    run.destination = "host=b";
    run.started_at = 0;
    run.completed_at = 2'500'000;
    run.status = "completed";
    run.pipeline = "p";
    auto& t = run.applied.tables["\"public\".\"items\""];
    t.inserted = 4;
    t.updated = 2;
    t.deleted = 1;
    t.dead_lettered = 1;
    t.note_commit(1'000'000, pg::Lsn(0x100));
    run.applied.last_commit_time = 1'000'000;
    idp::TableCopyResult copied;
    copied.source_table = "\"public\".\"items\"";
    copied.rows = 10;
    run.copied.push_back(copied);
    run.applied_lsn = pg::Lsn(0x200);

    sync::StateSnapshot st;
    st.pipeline = state::PipelineRecord{
        "p", "s", "tidemark_p", "initial", state::PipelinePhase::streaming, pg::Lsn(0x80), true, 3};
    state::DeadLetterRow dl;
    dl.id = 7;
    dl.source_table = "\"public\".\"items\"";
    dl.operation = "insert";
    dl.sqlstate = "23514";
    dl.error = "violates check constraint";
    st.dead_letters.push_back(dl);
    std::string r = sync::render_report(run, st);

    for (const char* key : {"\"metadata\": {", "\"statistics\": {", "\"tables\": [", "\"conflicts\": []",
                            "\"late_arriving_data\": []", "\"checkpoint\": {", "\"errors\": [", "\"warnings\": []"})
        EXPECT_NE(r.find(key), std::string::npos) << key << " missing from " << r;
    EXPECT_NE(r.find("\"records_processed\": 18"), std::string::npos) << r;  // 10 copied + 4 + 2 + 1 + 1
    EXPECT_NE(r.find("\"records_inserted\": 4"), std::string::npos) << r;
    EXPECT_NE(r.find("\"errors\": 1"), std::string::npos) << r;
    EXPECT_NE(r.find("\"duration_seconds\": 2.500000"), std::string::npos) << r;
    EXPECT_NE(r.find("\"high_water_mark\": \"0/80\""), std::string::npos) << r;
    EXPECT_NE(r.find("\"applied_lsn\": \"0/200\""), std::string::npos) << r;
    EXPECT_NE(r.find("\"state_version\": 3"), std::string::npos) << r;
    EXPECT_NE(r.find("\"sqlstate\": \"23514\""), std::string::npos) << r;
    EXPECT_NE(r.find("\"last_sync_timestamp\": \"2000-01-01T00:00:01.000000+00:00\""), std::string::npos) << r;
    EXPECT_EQ(r.find("password=secret"), std::string::npos);
}

TEST(SyncReport, IndentedForPeopleWithStringsUntouched) {
    std::string compact = R"({"a": [1, {"b": "x, {y} [z] \"q\""}], "e": {}, "f": []})";
    EXPECT_EQ(sync::indent_json(compact),
              "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x, {y} [z] \\\"q\\\"\"\n    }\n  ],\n"
              "  \"e\": {},\n  \"f\": []\n}\n");
}

TEST(SyncReport, IdsAreVersion4Uuids) {
    std::string a = sync::new_sync_id(), b = sync::new_sync_id();
    EXPECT_NE(a, b);
    ASSERT_EQ(a.size(), 36u);
    EXPECT_EQ(a[14], '4');
    EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
}

}  // namespace
}  // namespace tidemark
