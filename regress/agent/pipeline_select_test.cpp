// --pipeline against real databases: with two [[pipelines]] synced, the
// commands that show (status, report, slot list, conflicts list) cover both
// unless one is named, conflicts resolve keeps to the named pipeline's
// conflicts, and state refuses to guess which pipeline (exit 2, naming them).
#include "sync_fixture.hpp"

namespace tidemark::testing {
namespace {

class PipelineSelect : public SyncTest {
protected:
    // Both pipelines start at once on a fresh target: they also prove
    // that two agents creating tidemark's state together do not collide.
    std::string two_pipelines() const {
        return "[source]\nconninfo = \"" + source().conninfo(db()) + "\"\n\n[target]\nconninfo = \"" +
               target().conninfo(db()) +
               "\"\n\n[sync]\nstartup_mode = \"initial\"\n\n"
               "[[pipelines]]\nname = \"a\"\nslot = \"" +
               slot() + "_a\"\ninclude = [\"a.*\"]\n\n[[pipelines]]\nname = \"b\"\nslot = \"" + slot() +
               "_b\"\ninclude = [\"b.*\"]\n";
    }

    // `expression` over the JSON `json`, worked out by the target.
    std::string json_value(const std::string& json, const std::string& expression) const {
        return target().scalar("SELECT " + expression + " FROM (SELECT $tmj$" + json + "$tmj$::jsonb AS j) x", db());
    }
};

TEST_F(PipelineSelect, ShowingCommandsNarrowToTheNamedPipelineAndChangingOnesNeedIt) {
    for (const char* schema : {"a", "b"}) {
        std::string s(schema);
        src("CREATE SCHEMA " + s);
        src("CREATE TABLE " + s + ".items (id bigint PRIMARY KEY, v text)");
        src("INSERT INTO " + s + ".items SELECT g, 'x' FROM generate_series(1, 50) g");
    }
    const std::string cfg_text = two_pipelines();
    auto run = sync_once(cfg_text);
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    TempFile cfg(cfg_text);

    auto only_b = run_agent({"status", "-c", cfg.path(), "--json", "--pipeline", "b"});
    ASSERT_EQ(only_b.exit_code, 0) << describe(only_b);
    EXPECT_EQ(json_value(only_b.out, "jsonb_array_length(j->'pipelines')"), "1") << only_b.out;
    EXPECT_EQ(json_value(only_b.out, "j#>>'{pipelines,0,pipeline}'"), "b") << only_b.out;
    EXPECT_EQ(json_value(only_b.out, "j#>>'{pipelines,0,slot}'"), slot() + "_b") << only_b.out;
    EXPECT_EQ(json_value(only_b.out, "j#>>'{pipelines,0,tables,0,table}'"), "\"b\".\"items\"") << only_b.out;

    auto both = run_agent({"status", "-c", cfg.path(), "--json"});
    ASSERT_EQ(both.exit_code, 0) << describe(both);
    EXPECT_EQ(json_value(both.out,
                         "(SELECT string_agg(p->>'pipeline', ',' ORDER BY p->>'pipeline') FROM "
                         "jsonb_array_elements(j->'pipelines') p)"),
              "a,b")
        << both.out;

    auto report_b = run_agent({"report", "-c", cfg.path(), "--json", "--pipeline", "b"});
    ASSERT_EQ(report_b.exit_code, 0) << describe(report_b);
    EXPECT_EQ(json_value(report_b.out, "j#>>'{metadata,pipeline}'"), "b") << report_b.out;

    auto slot_b = run_agent({"slot", "list", "-c", cfg.path(), "--json", "--pipeline", "b"});
    ASSERT_EQ(slot_b.exit_code, 0) << describe(slot_b);
    EXPECT_EQ(json_value(slot_b.out, "(SELECT string_agg(s->>'slot_name', ',') FROM jsonb_array_elements(j) s)"),
              slot() + "_b")
        << slot_b.out;
    auto slots = run_agent({"slot", "list", "-c", cfg.path()});
    ASSERT_EQ(slots.exit_code, 0) << describe(slots);
    EXPECT_NE(slots.out.find("pipeline a: slot " + slot() + "_a\n"), std::string::npos) << slots.out;
    EXPECT_NE(slots.out.find("pipeline b: slot " + slot() + "_b\n"), std::string::npos) << slots.out;

    // One conflict parked by each pipeline, as the apply would log them.
    std::string conflict_of[2];
    for (int i = 0; i < 2; ++i) {
        std::string p = i == 0 ? "a" : "b";
        conflict_of[i] = tgt_value(
            "INSERT INTO tidemark.conflicts (pipeline, source_name, source_table, target_table, record_key, kind, "
            "source_values, source_commit_time, target_commit_time, source_origin, strategy, resolution, status) "
            "VALUES ('" +
            p + "', '" + p + "', '" + p + ".items', '" + p +
            ".items', '{\"id\": 1}', 'update_differs', '{\"id\": 1, \"v\": \"y\"}', now(), now(), 'tidemark_" + p +
            "', 'manual_review', 'parked', 'pending') RETURNING id");
    }
    auto conflicts_b = run_agent({"conflicts", "list", "-c", cfg.path(), "--json", "--pipeline", "b"});
    ASSERT_EQ(conflicts_b.exit_code, 0) << describe(conflicts_b);
    EXPECT_EQ(json_value(conflicts_b.out, "(SELECT string_agg(c->>'id', ',') FROM jsonb_array_elements(j) c)"),
              conflict_of[1])
        << conflicts_b.out;
    auto wrong_owner =
        run_agent({"conflicts", "resolve", "-c", cfg.path(), conflict_of[0], "--keep", "target", "--pipeline", "b"});
    EXPECT_EQ(wrong_owner.exit_code, 1) << describe(wrong_owner);
    EXPECT_NE(wrong_owner.err.find("was logged by pipeline a"), std::string::npos) << wrong_owner.err;
    EXPECT_EQ(tgt_value("SELECT status FROM tidemark.conflicts WHERE id = " + conflict_of[0]), "pending");

    auto guess = run_agent({"state", "show", "-c", cfg.path()});
    EXPECT_EQ(guess.exit_code, 2) << describe(guess);
    EXPECT_NE(guess.err.find("acts on one pipeline"), std::string::npos) << guess.err;
    EXPECT_NE(guess.err.find("\"a\", \"b\""), std::string::npos) << guess.err;
    EXPECT_NE(guess.err.find("--pipeline NAME"), std::string::npos) << guess.err;

    auto unknown = run_agent({"status", "-c", cfg.path(), "--pipeline", "c"});
    EXPECT_EQ(unknown.exit_code, 2) << describe(unknown);
    EXPECT_NE(unknown.err.find("there is no pipeline \"c\""), std::string::npos) << unknown.err;

    auto shown = run_agent({"state", "show", "-c", cfg.path(), "--pipeline", "a", "--json"});
    ASSERT_EQ(shown.exit_code, 0) << describe(shown);
    EXPECT_EQ(json_value(shown.out, "j->>'pipeline'"), "a") << shown.out;
    EXPECT_EQ(json_value(shown.out, "j#>>'{slot,name}'"), slot() + "_a") << shown.out;
}

}  // namespace
}  // namespace tidemark::testing
