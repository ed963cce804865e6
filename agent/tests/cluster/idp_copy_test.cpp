// The Initial Data Package against real clusters: a slot with an exported
// snapshot on the source, the copy into a target holding tidemark's state.
// Each test checks what a broken copy would get wrong: rows that differ,
// rows committed after the consistent point, a resume that touches
// finished tables, a lost connection that duplicates or loses a chunk, a
// row count that does not match, a stop that leaves half a chunk.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>

#include "idp/initial_copy.hpp"
#include "pg/connection.hpp"
#include "state/pipeline_record.hpp"
#include "state/state_schema.hpp"
#include "stream/replication_connection.hpp"
#include "test_cluster.hpp"

namespace tidemark::idp {
namespace {

using testing::TestCluster;

// Records what it is told and lets a test act while the copy runs.
class RecordingProgress : public Progress {
public:
    std::function<void(const CopyProgress&)> on_update;
    int started_calls = 0;
    int finished_calls = 0;
    std::vector<std::string> finished_tables;

    void started(const CopyProgress&) override { ++started_calls; }
    void update(const CopyProgress& p) override {
        if (on_update) on_update(p);
    }
    void table_finished(const TableCopyResult& t) override { finished_tables.push_back(t.source_table); }
    void finished(const CopyResult&) override { ++finished_calls; }
};

// A replication connection holding a temporary slot and its exported
// snapshot for as long as the object lives.
struct ExportedSnapshot {
    stream::ReplicationConnection connection;
    Snapshot snapshot;
};

class IdpCopyTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        source_ = std::make_unique<TestCluster>("idp-source");
        target_ = std::make_unique<TestCluster>("idp-target");
    }
    static void TearDownTestSuite() {
        source_.reset();
        target_.reset();
    }

    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        db_ = "idp_" + std::string(info->name());
        for (auto& c : db_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        source_->create_database(db_);
        target_->create_database(db_);
        config_.source.conninfo = source_->conninfo(db_);
        config_.target.conninfo = target_->conninfo(db_);
        config_.sync.copy_jobs = 3;
        config_.sync.chunk_rows = 2000;
        pg::Connection target = pg::Connection::connect(config_.target.conninfo);
        state::ensure_state_schema(target);
        state::PipelineRecord record;
        record.name = pipeline_;
        record.slot_name = db_;
        record.origin_name = "tidemark_" + db_;
        record.startup_mode = "initial";
        state::insert_pipeline(target, record);
    }

    ExportedSnapshot export_snapshot() {
        auto conn = stream::ReplicationConnection::connect(config_.source.conninfo);
        stream::CreateSlotOptions options;
        options.temporary = true;
        auto slot = conn.create_slot(db_ + "_" + std::to_string(++slots_), options);
        return ExportedSnapshot{std::move(conn), Snapshot{slot.snapshot_name, slot.consistent_point}};
    }

    CopyResult copy(const Snapshot& snapshot, const std::vector<std::string>& only = {}, std::stop_token stop = {}) {
        return run_initial_copy(config_, pipeline_, snapshot, only, progress_, std::move(stop));
    }

    void src(const std::string& sql) const { source_->exec(sql, db_); }
    void tgt(const std::string& sql) const { target_->exec(sql, db_); }
    std::string src_value(const std::string& sql) const { return source_->scalar(sql, db_); }
    std::string tgt_value(const std::string& sql) const { return target_->scalar(sql, db_); }

    // The rows of a table as one ordered text, equal on both sides when the
    // copy is exact.
    void expect_same(const std::string& table, const std::string& order_by) const {
        std::string sql = "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY " + order_by +
                          ")), '') FROM " + table + " t";
        EXPECT_EQ(src_value(sql), tgt_value(sql)) << "table " << table << " differs";
    }

    std::string state_of(const std::string& table, const std::string& column) const {
        return tgt_value("SELECT " + column + " FROM tidemark.tables WHERE pipeline = '" + pipeline_ +
                         "' AND source_table = '" + table + "'");
    }

    static std::unique_ptr<TestCluster> source_;
    static std::unique_ptr<TestCluster> target_;
    std::string db_;
    std::string pipeline_ = "p";
    config::Config config_;
    RecordingProgress progress_;
    int slots_ = 0;
};

std::unique_ptr<TestCluster> IdpCopyTest::source_;
std::unique_ptr<TestCluster> IdpCopyTest::target_;

TEST_F(IdpCopyTest, CopiesEveryKindOfTableExactly) {
    src(R"SQL(
CREATE SCHEMA "App";
CREATE TYPE "App".mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN "App".posint AS integer NOT NULL CHECK (VALUE > 0);
CREATE TYPE "App".pair AS (a "App".posint, b text, m "App".mood[]);
CREATE TYPE "App".floatrange AS RANGE (subtype = float8);
CREATE TABLE "App"."Orders" (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    mood "App".mood, amount "App".posint, p "App".pair, r "App".floatrange, tags text[],
    doubled bigint GENERATED ALWAYS AS (id * 2) STORED, note text UNIQUE,
    CHECK (amount < 1000000));
CREATE INDEX orders_mood ON "App"."Orders" (mood);
INSERT INTO "App"."Orders" (mood, amount, p, r, tags, note)
SELECT (ARRAY['sad','ok','happy'])[1 + i % 3]::"App".mood, i, ROW(i, 'b' || i, '{ok,sad}')::text::"App".pair,
       numrange(i, i + 1)::text::"App".floatrange,
       ARRAY['x' || i, NULL], CASE WHEN i % 7 = 0 THEN NULL ELSE 'n' || i END
  FROM generate_series(1, 9000) i;
CREATE TABLE public.parted (id int, k int, v text, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);
CREATE TABLE public.parted_1 PARTITION OF public.parted FOR VALUES FROM (0) TO (50);
CREATE TABLE public.parted_2 PARTITION OF public.parted FOR VALUES FROM (50) TO (100);
INSERT INTO public.parted SELECT i, i % 100, repeat('v', i % 50) FROM generate_series(1, 7000) i;
CREATE TABLE public.nokey (x int, y bytea, z timestamptz, w interval, f float8);
INSERT INTO public.nokey SELECT i, decode(md5(i::text), 'hex'), '2024-01-01'::timestamptz + i * interval '1 min',
       i * interval '1.5 sec', i / 3.0 FROM generate_series(1, 5000) i;
CREATE TABLE public.parent (id int PRIMARY KEY, v text);
CREATE TABLE public.child (extra int) INHERITS (public.parent);
INSERT INTO public.parent VALUES (1, 'parent');
INSERT INTO public.child VALUES (2, 'child', 7);
CREATE TABLE public.empty (id int PRIMARY KEY);
CREATE UNLOGGED TABLE public.scratch (id int);
ANALYZE;
)SQL");
    auto exported = export_snapshot();
    CopyResult result = copy(exported.snapshot);

    EXPECT_EQ(result.tables.size(), 6u) << "Orders, parted, nokey, parent, child, empty (not the unlogged one)";
    EXPECT_EQ(result.rows, 9000 + 7000 + 5000 + 1 + 1);
    EXPECT_EQ(progress_.started_calls, 1);
    EXPECT_EQ(progress_.finished_calls, 1);
    EXPECT_EQ(progress_.finished_tables.size(), 6u);
    expect_same("\"App\".\"Orders\"", "id");
    expect_same("public.parted", "id, k");
    expect_same("public.nokey", "x");
    expect_same("ONLY public.parent", "id");
    expect_same("public.child", "id");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM public.empty"), "0");
    EXPECT_EQ(tgt_value("SELECT to_regclass('public.scratch') IS NULL"), "t");
    // Partitions are not tables of their own on the target: the root is.
    EXPECT_EQ(tgt_value("SELECT to_regclass('public.parted_1') IS NULL"), "t");

    // Keys, indexes, checks and identity came along.
    EXPECT_EQ(tgt_value("SELECT count(*) FROM pg_constraint WHERE conrelid = '\"App\".\"Orders\"'::regclass "
                        "AND contype IN ('p', 'u', 'c')"),
              "3");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM pg_indexes WHERE tablename = 'Orders'"), "3");
    EXPECT_EQ(tgt_value("SELECT attidentity FROM pg_attribute WHERE attrelid = '\"App\".\"Orders\"'::regclass "
                        "AND attname = 'id'"),
              "d");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.parted'::regclass "
                        "AND contype = 'p'"),
              "1");

    // The state: every table copied at the consistent point, counted.
    std::string lsn = exported.snapshot.consistent_point.to_string();
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.tables WHERE phase = 'copied' AND high_water_mark = '" + lsn +
                        "' AND source_rows = rows_copied AND finished_at IS NOT NULL"),
              "6");
    // Orders and parted are big enough for several chunks, each recorded.
    EXPECT_GT(
        std::stoi(tgt_value("SELECT count(*) FROM tidemark.copy_chunks WHERE source_table = '\"App\".\"Orders\"'")), 1);
    EXPECT_EQ(tgt_value("SELECT sum(rows) FROM tidemark.copy_chunks WHERE source_table = '\"App\".\"Orders\"'"),
              "9000");
    // Composite values and arrays of user types cannot go binary.
    for (const auto& t : result.tables) EXPECT_EQ(t.binary, t.source_table != "\"App\".\"Orders\"") << t.source_table;
}

TEST_F(IdpCopyTest, OddTablesCopyToo) {
    src(R"SQL(
CREATE TABLE public.nocols ();
INSERT INTO public.nocols DEFAULT VALUES; INSERT INTO public.nocols DEFAULT VALUES;
CREATE TABLE public.lax (id int PRIMARY KEY, v int);
INSERT INTO public.lax VALUES (1, -5);
ALTER TABLE public.lax ADD CONSTRAINT v_positive CHECK (v > 0) NOT VALID;
CREATE SCHEMA "we""ird.schema";
CREATE TABLE "we""ird.schema"."Ta ble, with ""stuff""" ("Col.1" int PRIMARY KEY, "select" text);
CREATE INDEX "idx ON ONLY x" ON "we""ird.schema"."Ta ble, with ""stuff""" (lower("select"));
INSERT INTO "we""ird.schema"."Ta ble, with ""stuff""" SELECT i, 'S' || i FROM generate_series(1, 50) i;
)SQL");
    auto exported = export_snapshot();
    CopyResult result = copy(exported.snapshot);
    EXPECT_EQ(result.tables.size(), 3u);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM public.nocols"), "2");
    EXPECT_EQ(tgt_value("SELECT v FROM public.lax"), "-5");
    EXPECT_EQ(tgt_value("SELECT convalidated FROM pg_constraint WHERE conname = 'v_positive'"), "f");
    expect_same("\"we\"\"ird.schema\".\"Ta ble, with \"\"stuff\"\"\"", "\"Col.1\"");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM pg_indexes WHERE indexname = 'idx ON ONLY x'"), "1");
}

TEST_F(IdpCopyTest, RowsCommittedAfterTheConsistentPointAreNotCopied) {
    src("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT i, 'before' FROM generate_series(1, 5000) "
        "i");
    auto exported = export_snapshot();
    src("INSERT INTO t SELECT i, 'after' FROM generate_series(5001, 6000) i; "
        "UPDATE t SET v = 'changed' WHERE id <= 100; DELETE FROM t WHERE id BETWEEN 101 AND 200");
    copy(exported.snapshot);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM t"), "5000");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM t WHERE v = 'before'"), "5000");
    EXPECT_EQ(state_of("\"public\".\"t\"", "source_rows"), "5000");
}

TEST_F(IdpCopyTest, EmptySourceIsAnEmptyPackage) {
    auto exported = export_snapshot();
    CopyResult result = copy(exported.snapshot);
    EXPECT_TRUE(result.tables.empty());
    EXPECT_EQ(result.rows, 0);
    EXPECT_EQ(progress_.finished_calls, 1);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.tables"), "0");
}

TEST_F(IdpCopyTest, IncludeAndExcludeSelectTables) {
    src("CREATE SCHEMA keep; CREATE SCHEMA skip; CREATE TABLE keep.a (id int); CREATE TABLE keep.secret (id int); "
        "CREATE TABLE skip.b (id int); INSERT INTO keep.a VALUES (1)");
    config_.source.include = {"keep.*"};
    config_.source.exclude = {"keep.secret"};
    auto exported = export_snapshot();
    CopyResult result = copy(exported.snapshot);
    ASSERT_EQ(result.tables.size(), 1u);
    EXPECT_EQ(result.tables[0].source_table, "\"keep\".\"a\"");
    EXPECT_EQ(tgt_value("SELECT to_regclass('keep.secret') IS NULL AND to_regclass('skip.b') IS NULL"), "t");
}

TEST_F(IdpCopyTest, ResumeRecopiesOnlyTheUnfinishedTables) {
    src("CREATE TABLE done (id int PRIMARY KEY); INSERT INTO done SELECT generate_series(1, 100);"
        "CREATE TABLE half (id int PRIMARY KEY); INSERT INTO half SELECT generate_series(1, 3000)");
    auto first = export_snapshot();
    copy(first.snapshot);
    std::string first_lsn = first.snapshot.consistent_point.to_string();
    // As if the agent had died while copying "half": some of it copied.
    tgt("UPDATE tidemark.tables SET phase = 'copying' WHERE source_table = '\"public\".\"half\"'; "
        "DELETE FROM half WHERE id > 1000");
    src("INSERT INTO half SELECT generate_series(3001, 3500); INSERT INTO done VALUES (101)");

    pg::Connection target = pg::Connection::connect(config_.target.conninfo);
    auto unfinished = unfinished_tables(target, pipeline_);
    ASSERT_EQ(unfinished, std::vector<std::string>{"\"public\".\"half\""});
    auto second = export_snapshot();
    ASSERT_GT(second.snapshot.consistent_point, first.snapshot.consistent_point);
    CopyResult result = copy(second.snapshot, unfinished);

    ASSERT_EQ(result.tables.size(), 1u);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM half"), "3500");
    expect_same("half", "id");
    EXPECT_EQ(state_of("\"public\".\"half\"", "high_water_mark"), second.snapshot.consistent_point.to_string());
    EXPECT_EQ(state_of("\"public\".\"half\"", "phase"), "copied");
    // The finished table kept its rows and its mark: the stream brings 101.
    EXPECT_EQ(tgt_value("SELECT count(*) FROM done"), "100");
    EXPECT_EQ(state_of("\"public\".\"done\"", "high_water_mark"), first_lsn);
}

TEST_F(IdpCopyTest, ResumeForgetsATableDroppedOnTheSource) {
    src("CREATE TABLE gone (id int); CREATE TABLE stays (id int)");
    auto first = export_snapshot();
    copy(first.snapshot);
    tgt("UPDATE tidemark.tables SET phase = 'copying'");
    src("DROP TABLE gone");
    auto second = export_snapshot();
    copy(second.snapshot, {"\"public\".\"gone\"", "\"public\".\"stays\""});
    EXPECT_EQ(tgt_value("SELECT string_agg(source_table || ':' || phase, ',') FROM tidemark.tables"),
              "\"public\".\"stays\":copied");
}

TEST_F(IdpCopyTest, ExistingTargetTablesAreEmptiedFirst) {
    src("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT i, 's' FROM generate_series(1, 10) i");
    tgt("CREATE TABLE t (id int PRIMARY KEY, v text, target_only int DEFAULT 5); INSERT INTO t VALUES (1, 'old', 0)");
    auto exported = export_snapshot();
    copy(exported.snapshot);
    EXPECT_EQ(tgt_value("SELECT count(*) || '/' || sum(target_only) FROM t"), "10/50");
}

TEST_F(IdpCopyTest, TypeDifferencesFallBackToText) {
    src("CREATE TABLE t (id int PRIMARY KEY, amount int); INSERT INTO t SELECT i, i FROM generate_series(1, 100) i");
    tgt("CREATE TABLE t (id bigint PRIMARY KEY, amount numeric)");
    auto exported = export_snapshot();
    CopyResult result = copy(exported.snapshot);
    ASSERT_EQ(result.tables.size(), 1u);
    EXPECT_FALSE(result.tables[0].binary);
    EXPECT_EQ(tgt_value("SELECT sum(amount) FROM t"), "5050");
}

TEST_F(IdpCopyTest, MissingTableWithoutCreateTablesNamesIt) {
    src("CREATE TABLE t (id int)");
    config_.target.create_tables = false;
    auto exported = export_snapshot();
    try {
        copy(exported.snapshot);
        FAIL() << "the copy went ahead without a target table";
    } catch (const CopyError& e) {
        EXPECT_NE(std::string(e.what()).find("\"public\".\"t\" does not exist"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("create_tables"), std::string::npos) << e.what();
    }
}

TEST_F(IdpCopyTest, MissingColumnNamesTableColumnAndType) {
    src("CREATE TABLE t (id int, x integer)");
    tgt("CREATE TABLE t (id int)");
    auto exported = export_snapshot();
    try {
        copy(exported.snapshot);
        FAIL() << "the copy went ahead without column x";
    } catch (const CopyError& e) {
        EXPECT_NE(std::string(e.what()).find("target table \"public\".\"t\" lacks column \"x\" (type integer)"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.tables"), "0") << "nothing recorded before the check";
}

TEST_F(IdpCopyTest, LostTargetConnectionRetriesTheChunk) {
    src("CREATE TABLE big (id int PRIMARY KEY, pad text); "
        "INSERT INTO big SELECT i, repeat('x', 200) FROM generate_series(1, 200000) i; ANALYZE big");
    config_.sync.copy_jobs = 1;
    config_.sync.chunk_rows = 10000;
    int terminated = 0;
    progress_.on_update = [&](const CopyProgress& p) {
        if (terminated > 0 || p.tables.empty() || p.tables[0].rows == 0) return;
        terminated = std::stoi(
            // Whatever the session is doing (a COPY, or idle between two
            // chunks), cutting it must cost at most the chunk in flight.
            target_->scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE application_name = 'tidemark copy' AND datname = current_database()",
                            db_));
    };
    auto exported = export_snapshot();
    CopyResult result = copy(exported.snapshot);
    EXPECT_GE(terminated, 1) << "the copy finished before a connection could be cut";
    EXPECT_EQ(result.rows, 200000);
    EXPECT_EQ(tgt_value("SELECT count(*) || '/' || count(DISTINCT id) FROM big"), "200000/200000");
    EXPECT_EQ(tgt_value("SELECT sum(rows) FROM tidemark.copy_chunks"), "200000");
}

TEST_F(IdpCopyTest, RowCountMismatchIsAnErrorNamingBothCounts) {
    src("CREATE TABLE big (id int PRIMARY KEY, pad text); "
        "INSERT INTO big SELECT i, repeat('x', 200) FROM generate_series(1, 200000) i; ANALYZE big");
    config_.sync.copy_jobs = 1;
    config_.sync.chunk_rows = 10000;
    bool tampered = false;
    // The count is the first task; tamper with it before the cutover.
    progress_.on_update = [&](const CopyProgress& p) {
        if (tampered || p.tables.empty() || !p.tables[0].expected_is_exact) return;
        target_->exec("UPDATE tidemark.tables SET source_rows = source_rows + 1", db_);
        tampered = true;
    };
    auto exported = export_snapshot();
    try {
        copy(exported.snapshot);
        FAIL() << "a wrong row count went unnoticed";
    } catch (const CopyError& e) {
        EXPECT_NE(std::string(e.what()).find("row count mismatch for \"public\".\"big\""), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("200001"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("200000"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(tampered);
    EXPECT_EQ(state_of("\"public\".\"big\"", "phase"), "copying");
}

TEST_F(IdpCopyTest, StopKeepsWholeChunksOnly) {
    src("CREATE TABLE big (id int PRIMARY KEY, pad text); "
        "INSERT INTO big SELECT i, repeat('x', 100) FROM generate_series(1, 1000000) i; ANALYZE big");
    config_.sync.copy_jobs = 2;
    config_.sync.chunk_rows = 10000;
    std::stop_source stop;
    // Large enough that the first progress report (after 200 ms) comes
    // long before the last chunk, however fast the machine.
    progress_.on_update = [&](const CopyProgress& p) {
        if (!p.tables.empty() && p.tables[0].chunks_done > 0) stop.request_stop();
    };
    auto exported = export_snapshot();
    EXPECT_THROW(copy(exported.snapshot, {}, stop.get_token()), CopyInterrupted);
    // Whatever committed is whole chunks, each with its record.
    std::string chunks = tgt_value("SELECT coalesce(sum(rows), 0) FROM tidemark.copy_chunks");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM big"), chunks);
    EXPECT_EQ(state_of("\"public\".\"big\"", "rows_copied"), chunks);
    EXPECT_NE(state_of("\"public\".\"big\"", "phase"), "copied");
}

TEST_F(IdpCopyTest, SequencesAreSetAndCreated) {
    src("CREATE TABLE t (id serial PRIMARY KEY, n bigint GENERATED BY DEFAULT AS IDENTITY); "
        "INSERT INTO t (id) SELECT nextval('t_id_seq') FROM generate_series(1, 30); "
        "CREATE SEQUENCE free_seq START 100 INCREMENT 5; SELECT nextval('free_seq'); SELECT nextval('free_seq'); "
        "CREATE SEQUENCE untouched_seq");
    auto exported = export_snapshot();
    copy(exported.snapshot);
    SequenceCopyResult seq = copy_sequences(config_, exported.snapshot);
    EXPECT_EQ(seq.sequences, 4);
    EXPECT_EQ(tgt_value("SELECT last_value || '/' || is_called FROM t_id_seq"), "30/true");
    EXPECT_EQ(tgt_value("SELECT last_value || '/' || is_called FROM free_seq"), "105/true");
    EXPECT_EQ(tgt_value("SELECT last_value || '/' || is_called FROM untouched_seq"), "1/false");
    EXPECT_EQ(tgt_value("SELECT pg_sequence_last_value(pg_get_serial_sequence('t', 'n')::regclass)"), "30");
    // Later runs (--once) bring later values, without a snapshot.
    src("SELECT nextval('free_seq')");
    tgt("DROP SEQUENCE untouched_seq");
    seq = copy_sequences(config_, std::nullopt);
    EXPECT_EQ(seq.created, 1);
    EXPECT_EQ(tgt_value("SELECT last_value FROM free_seq"), "110");
    EXPECT_EQ(tgt_value("SELECT to_regclass('untouched_seq') IS NOT NULL"), "t");
}

}  // namespace
}  // namespace tidemark::idp
