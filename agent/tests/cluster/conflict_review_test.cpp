// The review queue against real clusters, through the built agent binary:
// `tidemark conflicts list` (table, --pending, --json with every column)
// and `tidemark conflicts resolve` (--keep source writes the parked values
// by key as the kind needs, --keep target writes nothing; both record who
// and when, in one transaction; a second decision, an unknown ID or a
// write the target refuses changes nothing).  Most cases park conflicts by
// hand, as the apply path would; the last one parks them through a real
// sync with manual_review.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "agent_process.hpp"
#include "cli/exit_codes.hpp"
#include "pg/connection.hpp"
#include "pg/quoting.hpp"
#include "state/state_schema.hpp"
#include "test_cluster.hpp"

namespace tidemark::conflict_review {
namespace {

using testing::AgentRun;
using testing::run_agent;
using testing::TempFile;
using testing::TestCluster;

class ConflictReviewTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        source_ = std::make_unique<TestCluster>("review-source");
        target_ = std::make_unique<TestCluster>("review-target");
    }
    static void TearDownTestSuite() {
        source_.reset();
        target_.reset();
    }

    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        db_ = "r_" + std::string(info->name());
        for (auto& c : db_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        source_->create_database(db_);
        target_->create_database(db_);
        pg::Connection conn = pg::Connection::connect(target_->conninfo(db_));
        state::ensure_state_schema(conn);
        config_ = std::make_unique<TempFile>(config_text());
    }

    std::string config_text(const std::string& tail = "") const {
        return "[source]\nconninfo = \"" + source_->conninfo(db_) + "\"\nslot = \"s_" + db_ + "\"\nname = \"alpha\"\n" +
               "[target]\nconninfo = \"" + target_->conninfo(db_) + "\"\n[sync]\ncopy_jobs = 2\n" + tail;
    }

    AgentRun cli(std::vector<std::string> args) const {
        args.insert(args.begin() + 2, {"-c", config_->path()});
        return run_agent(args);
    }

    void tgt(const std::string& sql) const { target_->exec(sql, db_); }
    std::string tgt_value(const std::string& sql) const { return target_->scalar(sql, db_); }
    void src(const std::string& sql) const { source_->exec(sql, db_); }

    // Parks a conflict as the apply path does and returns its id.
    std::string park(const std::string& table, const std::string& key, const std::string& kind,
                     const std::string& columns, const std::string& source_values,
                     const std::string& target_values = "NULL", const std::string& status = "pending") const {
        return tgt_value(
            "INSERT INTO tidemark.conflicts (pipeline, source_name, source_table, target_table, record_key, kind, "
            "columns, source_values, target_values, source_commit_time, target_commit_time, source_origin, "
            "target_origin, strategy, resolution, status) VALUES ('alpha', 'alpha', " +
            pg::quote_literal(table) + ", " + pg::quote_literal(table) + ", " + pg::quote_literal(key) + ", " +
            pg::quote_literal(kind) + ", " + columns + ", " + source_values + ", " + target_values +
            ", now() - interval '1 minute', now(), 'tidemark_alpha', NULL, 'manual_review', 'parked', " +
            pg::quote_literal(status) + ") RETURNING id");
    }

    static std::string describe(const AgentRun& run) {
        return "exit " + std::to_string(run.exit_code) + "\nstdout:\n" + run.out + "\nstderr:\n" + run.err;
    }

    static std::unique_ptr<TestCluster> source_;
    static std::unique_ptr<TestCluster> target_;
    std::string db_;
    std::unique_ptr<TempFile> config_;
};

std::unique_ptr<TestCluster> ConflictReviewTest::source_;
std::unique_ptr<TestCluster> ConflictReviewTest::target_;

const char* kCustomers =
    "CREATE TABLE public.customers (region text, id int, email text, status text NOT NULL, name text, "
    "since timestamptz, balance numeric(12,2), photo bytea, PRIMARY KEY (region, id))";

TEST_F(ConflictReviewTest, ListShowsTheQueueAsATablePendingOnlyAndJsonWithEveryColumn) {
    tgt(kCustomers);
    auto a = park("public.customers", R"({"id": 1, "region": "eu"})", "update_differs", "ARRAY['email','status']",
                  R"('{"id": 1, "region": "eu", "email": "s@x", "status": "gold"}')");
    auto b = park("public.customers", R"({"id": 2, "region": "eu"})", "insert_exists", "NULL",
                  R"('{"id": 2, "region": "eu", "status": "new"}')", "NULL", "resolved");
    auto c = park("public.customers", R"({"id": 3, "region": "us"})", "delete_differs", "NULL", "NULL");

    auto all = cli({"conflicts", "list"});
    ASSERT_EQ(all.exit_code, cli::kExitDone) << describe(all);
    for (const auto& text :
         {"detected_at", "update_differs", "insert_exists", "delete_differs", "email, status", "(whole row)",
          "manual_review", "pending", "resolved", "public.customers", R"({"id": 3, "region": "us"})"})
        EXPECT_NE(all.out.find(text), std::string::npos) << "missing " << text << " in:\n" << all.out;
    EXPECT_NE(all.out.find("3 conflicts, 2 pending"), std::string::npos) << all.out;

    auto pending = cli({"conflicts", "list", "--pending"});
    ASSERT_EQ(pending.exit_code, cli::kExitDone) << describe(pending);
    EXPECT_EQ(pending.out.find("insert_exists"), std::string::npos) << "a resolved conflict is not pending:\n"
                                                                    << pending.out;
    EXPECT_NE(pending.out.find("update_differs"), std::string::npos) << pending.out;
    EXPECT_NE(pending.out.find("delete_differs"), std::string::npos) << pending.out;

    auto json = cli({"conflicts", "list", "--json"});
    ASSERT_EQ(json.exit_code, cli::kExitDone) << describe(json);
    // The target's own JSON parser reads it back: an array of objects with
    // every column of the log, in id order.
    std::string doc = pg::quote_literal(json.out) + "::jsonb";
    EXPECT_EQ(tgt_value("SELECT jsonb_array_length(" + doc + ")"), "3");
    EXPECT_EQ(tgt_value("SELECT string_agg(e->>'id', ',' ORDER BY n) FROM jsonb_array_elements(" + doc +
                        ") WITH ORDINALITY AS a(e, n)"),
              a + "," + b + "," + c);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM jsonb_array_elements(" + doc +
                        ") e, (SELECT attname FROM pg_attribute WHERE attrelid = 'tidemark.conflicts'::regclass "
                        "AND attnum > 0 AND NOT attisdropped) AS col WHERE NOT e ? col.attname::text"),
              "0")
        << "every column of tidemark.conflicts must be in every object:\n"
        << json.out;
    EXPECT_EQ(tgt_value("SELECT (" + doc + ")->0->'source_values'->>'email'"), "s@x");
    EXPECT_EQ(tgt_value("SELECT (" + doc + ")->0->>'columns'"), R"(["email", "status"])");

    auto pending_json = cli({"conflicts", "list", "--json", "--pending"});
    ASSERT_EQ(pending_json.exit_code, cli::kExitDone) << describe(pending_json);
    EXPECT_EQ(tgt_value("SELECT jsonb_array_length(" + pg::quote_literal(pending_json.out) + "::jsonb)"), "2");
}

TEST_F(ConflictReviewTest, ListOnATargetWithoutStateSaysSo) {
    tgt("SET client_min_messages = warning; DROP SCHEMA tidemark CASCADE");
    auto run = cli({"conflicts", "list"});
    ASSERT_EQ(run.exit_code, cli::kExitDone) << describe(run);
    EXPECT_NE(run.out.find("no conflict log"), std::string::npos) << run.out;
    auto json = cli({"conflicts", "list", "--json"});
    ASSERT_EQ(json.exit_code, cli::kExitDone) << describe(json);
    EXPECT_EQ(json.out, "[]\n");
    auto resolve = cli({"conflicts", "resolve", "1", "--keep", "source"});
    EXPECT_EQ(resolve.exit_code, cli::kExitFailure) << describe(resolve);
}

TEST_F(ConflictReviewTest, KeepSourceWritesOnlyTheConflictColumnsByKeyAsALocalWrite) {
    tgt(kCustomers);
    tgt("INSERT INTO customers VALUES ('eu', 1, 't@x', 'active', 'Target name', '2024-01-01 00:00+00', 10.50, "
        "'\\x01'), ('eu', 2, 'other@x', 'active', 'Other', NULL, 0, NULL)");
    auto id = park("public.customers", R"({"id": 1, "region": "eu"})", "update_differs", "ARRAY['email','since']",
                   R"('{"id": 1, "region": "eu", "email": "s@x", "status": "gold", "name": "Source name",
                        "since": "2024-03-31T01:30:00.123456+00:00", "balance": 99.99, "photo": "\\x0203"}')",
                   R"('{"id": 1, "region": "eu", "email": "t@x", "status": "active"}')");

    auto run = cli({"conflicts", "resolve", id, "--keep", "source"});
    ASSERT_EQ(run.exit_code, cli::kExitDone) << describe(run);
    EXPECT_NE(run.out.find("resolved conflict " + id), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("updated"), std::string::npos) << run.out;

    // The two columns of the conflict take the source's values; the others
    // and the other rows keep the target's.
    EXPECT_EQ(tgt_value("SELECT row(email, status, name, since AT TIME ZONE 'UTC', balance, photo)::text FROM "
                        "customers WHERE region = 'eu' AND id = 1"),
              R"((s@x,active,"Target name","2024-03-31 01:30:00.123456",10.50,"\\x01"))");
    EXPECT_EQ(tgt_value("SELECT email || status FROM customers WHERE id = 2"), "other@xactive");
    // A person's decision is a local write: no replication origin.
    EXPECT_EQ(tgt_value("SELECT (pg_xact_commit_timestamp_origin(xmin)).roident FROM customers WHERE id = 1"), "0");

    EXPECT_EQ(tgt_value("SELECT status || ' ' || resolution FROM tidemark.conflicts WHERE id = " + id),
              "resolved source");
    EXPECT_EQ(tgt_value("SELECT resolved_values::text FROM tidemark.conflicts WHERE id = " + id),
              R"({"email": "s@x", "since": "2024-03-31T01:30:00.123456+00:00"})");
    EXPECT_EQ(tgt_value("SELECT resolved_by ~ '^postgres \\(os: .+\\)$' AND resolved_at IS NOT NULL FROM "
                        "tidemark.conflicts WHERE id = " +
                        id),
              "t");
    EXPECT_EQ(
        tgt_value("SELECT count(*) || ' ' || min(action) || ' ' || bool_and(r.resolved_values = c.resolved_values "
                  "AND r.resolved_by = c.resolved_by AND r.resolved_at = c.resolved_at) FROM "
                  "tidemark.conflict_resolutions r JOIN tidemark.conflicts c ON c.id = r.conflict_id WHERE "
                  "c.id = " +
                  id),
        "1 keep_source true");
}

TEST_F(ConflictReviewTest, KeepSourceInsertsAMissingRowAndDeletesAsTheKindSays) {
    tgt(kCustomers);
    tgt("INSERT INTO customers VALUES ('eu', 5, 'changed@x', 'active', 'Changed here', NULL, 1, NULL)");
    auto missing = park("public.customers", R"({"id": 4, "region": "us"})", "update_missing", "NULL",
                        R"('{"id": 4, "region": "us", "email": "new@x", "status": "new", "balance": 7}')");
    auto deleted = park("public.customers", R"({"id": 5, "region": "eu"})", "delete_differs", "NULL", "NULL");
    auto gone = park("public.customers", R"({"id": 6, "region": "eu"})", "delete_missing", "NULL", "NULL");

    auto insert = cli({"conflicts", "resolve", missing, "--keep", "source"});
    ASSERT_EQ(insert.exit_code, cli::kExitDone) << describe(insert);
    EXPECT_NE(insert.out.find("inserted"), std::string::npos) << insert.out;
    EXPECT_EQ(tgt_value("SELECT row(email, status, name, balance)::text FROM customers WHERE region = 'us' AND id = 4"),
              "(new@x,new,,7.00)");
    EXPECT_EQ(tgt_value("SELECT resolved_values->>'email' FROM tidemark.conflicts WHERE id = " + missing), "new@x");

    auto del = cli({"conflicts", "resolve", deleted, "--keep", "source"});
    ASSERT_EQ(del.exit_code, cli::kExitDone) << describe(del);
    EXPECT_NE(del.out.find("deleted"), std::string::npos) << del.out;
    EXPECT_EQ(tgt_value("SELECT count(*) FROM customers WHERE id = 5"), "0");
    EXPECT_EQ(tgt_value("SELECT resolved_values IS NULL AND status = 'resolved' FROM tidemark.conflicts WHERE id = " +
                        deleted),
              "t");

    auto absent = cli({"conflicts", "resolve", gone, "--keep", "source"});
    ASSERT_EQ(absent.exit_code, cli::kExitDone) << describe(absent);
    EXPECT_NE(absent.out.find("already absent"), std::string::npos) << absent.out;
    EXPECT_EQ(tgt_value("SELECT count(*) FROM customers"), "1");
}

TEST_F(ConflictReviewTest, KeepTargetWritesNothingAndRecordsTheKeptValues) {
    tgt(kCustomers);
    tgt("INSERT INTO customers VALUES ('eu', 1, 't@x', 'active', 'T', NULL, 1, NULL)");
    std::string before = tgt_value("SELECT xmin::text FROM customers WHERE id = 1");
    auto id = park("public.customers", R"({"id": 1, "region": "eu"})", "update_differs", "ARRAY['status']",
                   R"('{"id": 1, "region": "eu", "email": "s@x", "status": "gold"}')");
    auto run = cli({"conflicts", "resolve", id, "--keep", "target"});
    ASSERT_EQ(run.exit_code, cli::kExitDone) << describe(run);
    EXPECT_EQ(tgt_value("SELECT xmin::text FROM customers WHERE id = 1"), before) << "the row must not be written";
    EXPECT_EQ(tgt_value("SELECT resolution || ' ' || resolved_values::text FROM tidemark.conflicts WHERE id = " + id),
              R"(target {"status": "active"})");
    EXPECT_EQ(tgt_value("SELECT action FROM tidemark.conflict_resolutions WHERE conflict_id = " + id), "keep_target");
}

TEST_F(ConflictReviewTest, ASecondDecisionAnUnknownIdOrARefusedWriteChangesNothing) {
    tgt(kCustomers);
    tgt("INSERT INTO customers VALUES ('eu', 1, 't@x', 'active', 'T', NULL, 1, NULL)");
    auto id = park("public.customers", R"({"id": 1, "region": "eu"})", "update_differs", "NULL",
                   R"('{"id": 1, "region": "eu", "email": "s@x", "status": "gold"}')");
    auto first = cli({"conflicts", "resolve", id, "--keep", "target"});
    ASSERT_EQ(first.exit_code, cli::kExitDone) << describe(first);
    auto again = cli({"conflicts", "resolve", id, "--keep", "source"});
    EXPECT_EQ(again.exit_code, cli::kExitFailure) << describe(again);
    EXPECT_NE(again.err.find("already resolved"), std::string::npos) << again.err;
    EXPECT_EQ(tgt_value("SELECT email FROM customers WHERE id = 1"), "t@x");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.conflict_resolutions WHERE conflict_id = " + id), "1");

    auto unknown = cli({"conflicts", "resolve", "987654", "--keep", "source"});
    EXPECT_EQ(unknown.exit_code, cli::kExitFailure) << describe(unknown);
    EXPECT_NE(unknown.err.find("no conflict with id 987654"), std::string::npos) << unknown.err;

    auto usage = cli({"conflicts", "resolve", id});
    EXPECT_EQ(usage.exit_code, cli::kExitBadConfig) << describe(usage);

    // status is NOT NULL on the target: the write fails, and neither the
    // row nor the conflict changes.
    auto refused = park("public.customers", R"({"id": 1, "region": "eu"})", "update_differs", "ARRAY['status']",
                        R"('{"id": 1, "region": "eu", "status": null}')");
    auto failed = cli({"conflicts", "resolve", refused, "--keep", "source"});
    EXPECT_EQ(failed.exit_code, cli::kExitFailure) << describe(failed);
    EXPECT_NE(failed.err.find("status"), std::string::npos) << failed.err;
    EXPECT_EQ(tgt_value("SELECT status FROM customers WHERE id = 1"), "active");
    EXPECT_EQ(tgt_value("SELECT status FROM tidemark.conflicts WHERE id = " + refused), "pending");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.conflict_resolutions WHERE conflict_id = " + refused), "0");

    // A column the table no longer has: refused with its name.
    auto dropped = park("public.customers", R"({"id": 1, "region": "eu"})", "update_differs", "ARRAY['nickname']",
                        R"('{"id": 1, "region": "eu", "nickname": "x"}')");
    auto missing_column = cli({"conflicts", "resolve", dropped, "--keep", "source"});
    EXPECT_EQ(missing_column.exit_code, cli::kExitFailure) << describe(missing_column);
    EXPECT_NE(missing_column.err.find("\"nickname\""), std::string::npos) << missing_column.err;
    EXPECT_EQ(tgt_value("SELECT status FROM tidemark.conflicts WHERE id = " + dropped), "pending");
}

// The whole path: a target row edited by hand, the source changing it too,
// [conflicts] default = "manual_review" parking the change, and the CLI
// settling it.
TEST_F(ConflictReviewTest, ManualReviewParksThroughSyncAndTheCliSettlesIt) {
    src("CREATE TABLE items (id int PRIMARY KEY, name text, qty int)");
    src("INSERT INTO items SELECT g, 'item ' || g, g FROM generate_series(1, 10) g");
    TempFile config(config_text("startup_mode = \"initial\"\n[conflicts]\ndefault = \"manual_review\"\n"));
    auto sync = [&] { return run_agent({"sync", "-c", config.path(), "--once"}); };
    auto first = sync();
    ASSERT_EQ(first.exit_code, cli::kExitDone) << describe(first);
    ASSERT_EQ(tgt_value("SELECT count(*) FROM items"), "10");

    tgt("UPDATE items SET qty = 100 WHERE id = 3");  // a person edits the target
    src("UPDATE items SET qty = 300 WHERE id = 3");  // and the source changes the same row
    src("UPDATE items SET qty = 400 WHERE id = 4");  // a row only the source changed
    auto second = sync();
    ASSERT_EQ(second.exit_code, cli::kExitDone) << describe(second);
    EXPECT_EQ(tgt_value("SELECT qty FROM items WHERE id = 4"), "400") << "no conflict: applied";
    EXPECT_EQ(tgt_value("SELECT qty FROM items WHERE id = 3"), "100") << "manual_review applies nothing";
    std::string id = tgt_value(
        "SELECT min(id) FROM tidemark.conflicts WHERE status = 'pending' AND kind = 'update_differs' AND "
        "record_key = '{\"id\": 3}'");
    ASSERT_FALSE(id.empty()) << "the conflict must be parked as pending";
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.conflicts WHERE record_key <> '{\"id\": 3}'"), "0");

    TempFile cli_config(config_text());
    auto list = run_agent({"conflicts", "list", "-c", cli_config.path(), "--pending"});
    ASSERT_EQ(list.exit_code, cli::kExitDone) << describe(list);
    EXPECT_NE(list.out.find("update_differs"), std::string::npos) << list.out;

    auto resolve = run_agent({"conflicts", "resolve", "-c", cli_config.path(), id, "--keep", "source"});
    ASSERT_EQ(resolve.exit_code, cli::kExitDone) << describe(resolve);
    EXPECT_EQ(tgt_value("SELECT qty FROM items WHERE id = 3"), "300");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.conflicts WHERE status = 'pending'"), "0");
    EXPECT_EQ(tgt_value("SELECT string_agg(src.t, '') FROM (SELECT row(id, name, qty)::text AS t FROM items ORDER BY "
                        "id) src"),
              [&] {
                  return source_->scalar(
                      "SELECT string_agg(src.t, '') FROM (SELECT row(id, name, qty)::text AS t FROM items ORDER BY "
                      "id) src",
                      db_);
              }());
}

}  // namespace
}  // namespace tidemark::conflict_review
