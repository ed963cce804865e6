// Convergence: after each workload the target equals the source row by row,
// every table and every column.
#include "sync_fixture.hpp"


namespace tidemark::testing {
namespace {

using Convergence = SyncTest;

TEST_F(Convergence, Pgbench) {
    pgbench({"-i", "-s", "1", "-q"});
    auto seed = sync_once(config("initial"));
    ASSERT_EQ(seed.exit_code, 0) << describe(seed);
    expect_converged();
    // Small transactions hammering the same branch and teller rows, and
    // pgbench_history, which has no key: a duplicate or a gap shows as a
    // count or hash difference.
    pgbench({"-c", "2", "-j", "2", "-t", "1500", "-n"});
    auto run = sync_once(config("initial"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM pgbench_history"), "3000");
    expect_converged();
}

TEST_F(Convergence, EveryTypeFamilyAndQuotedNames) {
    src(R"SQL(
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE DOMAIN positive AS int CHECK (VALUE > 0);
        CREATE TYPE pair AS (a int, b text);
        CREATE SCHEMA "Sch ëma";
        CREATE TABLE "Sch ëma"."Mixed Case" (
            "Id" bigint PRIMARY KEY,
            "a column" text,
            n numeric, f8 float8, f4 real, i2 smallint, b bool,
            ts timestamptz, t timestamp, d date, tm time, iv interval,
            ia int[], ta text[], j json, jb jsonb, by bytea, u uuid,
            m mood, p positive, c pair, r int4range, tr tstzrange,
            ip inet, bits varbit, ch char(3), vc varchar(10), x xml, pt point, mo money);
    )SQL");
    // The same values twice: once through the copy (ids 1-3), once through
    // the stream (ids 11-13).
    auto insert = [](int base) {
        auto id = [base](int n) { return std::to_string(base + n); };
        return R"SQL(
        SET TimeZone = 'Europe/Paris';
        INSERT INTO "Sch ëma"."Mixed Case" VALUES
          ()SQL" + id(1) + R"SQL(, 'plain', 'NaN', 'Infinity', '-Infinity', 1, true, '2026-03-29 01:30:00+01',
           '2026-03-29 02:30:00', '2026-10-25', '23:59:59.999999', '1 year 2 mons 3 days 04:05:06.7', '{1,NULL,3}',
           '{"a b","c\"d",NULL}', '{"k": [1, 2.50, null]}', '{"k": [1, 2.50, null]}', '\x00ff10',
           'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'happy', 5, '(1,"x y")', '[1,10)',
           '[2026-10-25 01:00+02,2026-10-25 03:00+01)', '192.168.0.1/24', B'1011', 'ab', 'hello', '<a>b</a>',
           '(1.5,2)', '12.34'),
          ()SQL" + id(2) + R"SQL(, NULL, 'Infinity', 'NaN', 0, -32768, false, '2026-10-25 02:30:00+02',
           '2026-10-25 02:30:00', '-infinity', '00:00', '-1 day', '{}', '{}', 'null', '[]', '',
           '00000000-0000-0000-0000-000000000000', 'sad', 1, '(,)', 'empty', '(,)', '::1', B'', '', '', NULL,
           '(0,0)', '-0.01'),
          ()SQL" + id(3) + R"SQL(, 'ünïcödé ✓ ''quoted'' "dq" \ back', '-Infinity', 1e308, 1e-37, 32767, NULL,
           'infinity', '-infinity', '2000-01-01', '12:00', '0', '{{1,2},{3,4}}', '{"{}"}', '"s"',
           '{"a": {"b": "c"}}', '\x5c', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           NULL);
        )SQL";
    };
    src(insert(0));
    auto seed = sync_once(config("initial"));
    ASSERT_EQ(seed.exit_code, 0) << describe(seed);
    expect_converged();

    src(insert(10));
    src(R"SQL(UPDATE "Sch ëma"."Mixed Case" SET n = n + 1, jb = jb || '{"u": 1}', m = 'ok' WHERE "Id" IN (1, 11))SQL");
    src(R"SQL(UPDATE "Sch ëma"."Mixed Case" SET "Id" = 21 WHERE "Id" = 2)SQL");
    src(R"SQL(DELETE FROM "Sch ëma"."Mixed Case" WHERE "Id" = 3)SQL");
    auto run = sync_once(config("initial"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(tgt_value(R"SQL(SELECT string_agg("Id"::text, ',' ORDER BY "Id") FROM "Sch ëma"."Mixed Case")SQL"),
              "1,11,12,13,21");
    expect_converged();
}

TEST_F(Convergence, ToastedValuesSurviveUpdatesThatLeaveThemUnchanged) {
    src("CREATE TABLE docs (id int PRIMARY KEY, body text, note text)");
    src("ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL");
    src("INSERT INTO docs SELECT g, (SELECT string_agg(md5(g::text || i::text), '') FROM generate_series(1, 4000) i), "
        "'v1' FROM generate_series(1, 20) g");
    auto seed = sync_once(config("initial"));
    ASSERT_EQ(seed.exit_code, 0) << describe(seed);
    // The stream carries these updates with the body marked unchanged.
    src("UPDATE docs SET note = 'v2' WHERE id <= 10");
    src("INSERT INTO docs SELECT 100 + g, repeat(md5(g::text), 5000), 'new' FROM generate_series(1, 5) g");
    src("UPDATE docs SET note = 'v3' WHERE id > 100");
    auto run = sync_once(config("initial"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM docs WHERE length(body) = 128000"), "20");
    expect_converged();
}

TEST_F(Convergence, TruncateIsApplied) {
    src("CREATE TABLE parent (id int PRIMARY KEY); CREATE TABLE child (id serial PRIMARY KEY, p int REFERENCES parent)");
    src("INSERT INTO parent SELECT generate_series(1, 10); INSERT INTO child (p) SELECT generate_series(1, 10)");
    ASSERT_EQ(sync_once(config("initial")).exit_code, 0);
    src("TRUNCATE parent, child RESTART IDENTITY CASCADE");
    src("INSERT INTO parent VALUES (1); INSERT INTO child (p) VALUES (1)");
    auto run = sync_once(config("initial"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(tgt_value("SELECT string_agg(id::text, ',') FROM child"), "1");
    expect_converged();
}

TEST_F(Convergence, WholeRowsOverwriteTheTargetsRowsAndRecreateTheOnesItLacks) {
    // Whole rows are merged on the key (MERGE on this PostgreSQL 15 target):
    // a row the target has is overwritten, one it lost is inserted again,
    // a row of key columns only that it has is left alone, a partitioned
    // target takes its rows in the right partitions, and a table with a
    // rule, which MERGE refuses, is written as before.
    src(R"SQL(
        CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance numeric, note text);
        CREATE TABLE tags (id int PRIMARY KEY);
        CREATE TABLE readings (region text, id int, value int, PRIMARY KEY (region, id)) PARTITION BY LIST (region);
        CREATE TABLE readings_n PARTITION OF readings FOR VALUES IN ('n');
        CREATE TABLE readings_s PARTITION OF readings FOR VALUES IN ('s');
        INSERT INTO accounts SELECT g, 'owner ' || g, g * 10, NULL FROM generate_series(1, 6) g;
        INSERT INTO tags SELECT generate_series(1, 3);
        INSERT INTO readings SELECT CASE WHEN g % 2 = 0 THEN 'n' ELSE 's' END, g, g FROM generate_series(1, 6) g;
        CREATE TABLE ruled (id int PRIMARY KEY, v text);
        INSERT INTO ruled VALUES (1, 'a');
    )SQL");
    tgt(R"SQL(
        CREATE TABLE readings (region text, id int, value int, PRIMARY KEY (region, id)) PARTITION BY LIST (region);
        CREATE TABLE readings_n PARTITION OF readings FOR VALUES IN ('n');
        CREATE TABLE readings_s PARTITION OF readings FOR VALUES IN ('s');
        CREATE TABLE ruled (id int PRIMARY KEY, v text);
        CREATE TABLE ruled_audit (id int);
        CREATE RULE audit AS ON DELETE TO ruled DO ALSO INSERT INTO ruled_audit VALUES (OLD.id);
    )SQL");
    ASSERT_EQ(sync_once(config("initial")).exit_code, 0);
    // Local writes the source's next changes must undo.
    tgt("DELETE FROM accounts WHERE id IN (1, 2); UPDATE accounts SET balance = -1, note = 'local' WHERE id = 3; "
        "INSERT INTO accounts VALUES (7, 'local', 0, 'local'); DELETE FROM tags WHERE id = 1; "
        "DELETE FROM readings WHERE id = 2");
    src(R"SQL(
        BEGIN;
        UPDATE accounts SET balance = balance + 1, note = 'paid' WHERE id <= 4;
        INSERT INTO accounts VALUES (7, 'owner 7', 70, NULL), (8, 'owner 8', 80, 'new');
        INSERT INTO tags VALUES (4);
        UPDATE tags SET id = id WHERE id <= 2;
        UPDATE readings SET value = value * 100 WHERE id <= 4;
        INSERT INTO readings VALUES ('n', 8, 8);
        UPDATE ruled SET v = 'b';
        INSERT INTO ruled VALUES (2, 'c');
        COMMIT;
    )SQL");
    auto run = sync_once(config("initial"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(tgt_value("SELECT string_agg(id || ':' || balance || ':' || coalesce(note, '-'), ',' ORDER BY id) "
                        "FROM accounts"),
              "1:11:paid,2:21:paid,3:31:paid,4:41:paid,5:50:-,6:60:-,7:70:-,8:80:new");
    EXPECT_EQ(tgt_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM tags"), "1,2,3,4");
    EXPECT_EQ(tgt_value("SELECT string_agg(tableoid::regclass || ':' || id || ':' || value, ',' ORDER BY id) "
                        "FROM readings"),
              "readings_s:1:100,readings_n:2:200,readings_s:3:300,readings_n:4:400,readings_s:5:5,"
              "readings_n:6:6,readings_n:8:8");
    EXPECT_EQ(tgt_value("SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM ruled"), "1:b,2:c");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.dead_letters"), "0");
    expect_converged();
}

TEST_F(Convergence, LargeTransactionKeepsTheAgentsMemoryFlat) {
    // Ten million rows in one source transaction.  The agent must not hold
    // the transaction: its peak memory stays far below what the rows take
    // (about 1.5 GB), under the 256 MB ceiling.
    const std::string rows = "10000000";
    src("CREATE TABLE big (id bigint PRIMARY KEY, a int, b text, c timestamptz, d numeric)");
    ASSERT_EQ(sync_once(config("initial")).exit_code, 0);
    src("INSERT INTO big SELECT g, g % 1000, repeat('x', 100), now(), g * 1.5 FROM generate_series(1, " + rows + ") g");
    auto run = sync_once(config("initial"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM big"), rows);
    EXPECT_LT(run.peak_rss_kb, 256 * 1024) << "agent peaked at " << run.peak_rss_kb << " kB";
    expect_converged();
}

TEST_F(Convergence, RowsTheTargetRefusesGoToDeadLetters) {
    src("CREATE TABLE orders (id int PRIMARY KEY, qty int)");
    ASSERT_EQ(sync_once(config("initial")).exit_code, 0);
    // The target is stricter than the source: the stream must park the row
    // and go on.
    tgt("ALTER TABLE orders ADD CONSTRAINT qty_small CHECK (qty < 100)");
    src("INSERT INTO orders VALUES (1, 5), (2, 500), (3, 7)");
    auto run = sync_once(config("initial"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(tgt_value("SELECT string_agg(id::text, ',' ORDER BY id) FROM orders"), "1,3");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.dead_letters WHERE sqlstate = '23514'"), "1");
    EXPECT_EQ(tgt_value("SELECT change::text LIKE '%500%' FROM tidemark.dead_letters"), "t");

    // With on_error = "stop" the agent stops before the transaction and the
    // slot keeps it.
    src("INSERT INTO orders VALUES (4, 900)");
    auto stop = sync_once(config("initial", "on_error = \"stop\""));
    EXPECT_EQ(stop.exit_code, 1) << describe(stop);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM orders WHERE id = 4"), "0");
    tgt("ALTER TABLE orders DROP CONSTRAINT qty_small");
    auto resumed = sync_once(config("initial", "on_error = \"stop\""));
    ASSERT_EQ(resumed.exit_code, 0) << describe(resumed);
    EXPECT_EQ(tgt_value("SELECT qty FROM orders WHERE id = 4"), "900");
}

TEST_F(Convergence, TextValuesTooLongForTheTargetsColumnAreRefusedNotCut) {
    // A user-defined type travels as text.  Cast explicitly to varchar(3),
    // or to a domain over it, 'abcdefgh' would become 'abc' without a word;
    // PostgreSQL's own apply worker refuses it, and so must the agent.
    // A char(3) column pads what is shorter, as an assignment does.
    src("CREATE DOMAIN code AS varchar(10); CREATE TABLE parts (id int PRIMARY KEY, a code, b code, c code)");
    tgt("CREATE DOMAIN code AS varchar(3); "
        "CREATE TABLE parts (id int PRIMARY KEY, a varchar(3), b code, c char(3))");
    src("INSERT INTO parts VALUES (1, 'abc', 'abc', 'abc')");
    ASSERT_EQ(sync_once(config("initial")).exit_code, 0);
    src("INSERT INTO parts VALUES (2, 'abcdefgh', 'xy', 'xy'), (3, 'xy', 'abcdefgh', 'xy'), "
        "(4, 'ok', 'ok', 'ok'), (5, 'xy', 'xy', 'abcd')");
    src("UPDATE parts SET a = 'abcd' WHERE id = 1");
    auto run = sync_once(config("initial"));
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(tgt_value("SELECT string_agg(id || ':' || a || ':' || b || ':' || c::text || '|' || octet_length(c), "
                        "',' ORDER BY id) FROM parts"),
              "1:abc:abc:abc|3,4:ok:ok:ok|3");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.dead_letters WHERE sqlstate = '22001'"), "4");
}

TEST_F(Convergence, NewColumnsStopOrAreAdded) {
    src("CREATE TABLE t (id int PRIMARY KEY, a text)");
    ASSERT_EQ(sync_once(config("initial")).exit_code, 0);
    src("ALTER TABLE t ADD COLUMN b int; INSERT INTO t VALUES (1, 'x', 42)");
    auto refused = sync_once(config("initial"));
    EXPECT_EQ(refused.exit_code, 1) << describe(refused);
    EXPECT_NE(refused.err.find("auto_add_columns"), std::string::npos) << refused.err;
    EXPECT_EQ(tgt_value("SELECT count(*) FROM t"), "0");
    auto added = sync_once(config("initial", "auto_add_columns = true"));
    ASSERT_EQ(added.exit_code, 0) << describe(added);
    expect_converged();
}

TEST_F(Convergence, ColumnsWidenedOnTheSourceAreWidenedOnTheTarget) {
    // ALTER COLUMN ... TYPE sends no row, only a new RELATION: the target's
    // older, narrower columns would round the new values (numeric,
    // timestamps) without a word, or refuse them.
    auto types_of = [](const std::string& table) {
        return "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) "
               "FROM pg_attribute WHERE attrelid = '" +
               table + "'::regclass AND attnum > 0";
    };
    src("CREATE TABLE t (id int PRIMARY KEY, code varchar(5), amount numeric(6,2), n int, at timestamp(0))");
    src("INSERT INTO t VALUES (1, 'abc', 1234.56, 7, '2026-11-24 10:00:00')");
    // A target table made narrower than the source's before the copy.
    src("CREATE TABLE v (id int PRIMARY KEY, amount numeric(10,4)); INSERT INTO v VALUES (1, 1.2345)");
    tgt("CREATE TABLE v (id int PRIMARY KEY, amount numeric(6,2))");
    auto copied = sync_ok(config("initial"));
    EXPECT_NE(copied.err.find("a target column is narrower than the source's"), std::string::npos) << copied.err;
    EXPECT_NE(copied.err.find("ALTER TABLE \"public\".\"v\" ALTER COLUMN \"amount\" TYPE numeric(10,4)"),
              std::string::npos)
        << copied.err;
    tgt("ALTER TABLE v ALTER COLUMN amount TYPE numeric(10,4); UPDATE v SET amount = 1.2345");
    src("ALTER TABLE t ALTER COLUMN code TYPE varchar(20), ALTER COLUMN amount TYPE numeric(10,4), "
        "ALTER COLUMN n TYPE bigint, ALTER COLUMN at TYPE timestamp(3)");
    src("INSERT INTO t VALUES (2, 'a longer code', 123456.7891, 5000000000, '2026-11-24 10:00:00.123'); "
        "UPDATE t SET amount = 0.0001 WHERE id = 1");
    sync_ok(config("initial", "auto_add_columns = true"));
    EXPECT_EQ(tgt_value(types_of("t")), src_value(types_of("t")));
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.dead_letters"), "0");
    expect_converged();

    // A target column made wider on purpose is left as it is.
    src("CREATE TABLE u (id int PRIMARY KEY, amount numeric(6,2))");
    tgt("CREATE TABLE u (id int PRIMARY KEY, amount numeric)");
    src("INSERT INTO u VALUES (1, 1.5)");
    sync_ok(config("initial", "auto_add_columns = true"));
    EXPECT_EQ(tgt_value(types_of("u")), "id integer, amount numeric");

    // Without auto_add_columns, a warning gives the statement that widens it.
    src("ALTER TABLE t ALTER COLUMN amount TYPE numeric(12,6); INSERT INTO t VALUES (3, 'x', 1.123456, 1, now())");
    auto warned = sync_ok(config("initial"));
    EXPECT_NE(warned.err.find("ALTER TABLE \"public\".\"t\" ALTER COLUMN \"amount\" TYPE numeric(12,6)"),
              std::string::npos)
        << warned.err;
}

TEST_F(Convergence, UserTypesTheSourceGainsReachTheTarget) {
    // A label added to an enum, a table or column of a type created after
    // the copy: the stream carries their values, never the types.
    auto labels = [](const std::string& type) {
        return "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = '" + type +
               "'::regtype";
    };
    src("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE t (id int PRIMARY KEY, m mood)");
    src("INSERT INTO t VALUES (1, 'ok')");
    sync_ok(config("initial"));

    src("ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok'; ALTER TYPE mood ADD VALUE 'ecstatic'");
    src("INSERT INTO t VALUES (2, 'meh'), (3, 'ecstatic'), (4, 'happy'); UPDATE t SET m = 'meh' WHERE id = 1");
    src("CREATE EXTENSION hstore; CREATE TYPE color AS ENUM ('red', 'green'); "
        "CREATE DOMAIN shortcode AS varchar(4) CHECK (VALUE ~ '^[A-Z]+$'); CREATE TYPE pair AS (a int, b color); "
        "CREATE TABLE later (id int PRIMARY KEY, c color, s shortcode, p pair, h hstore, m mood); "
        "INSERT INTO later VALUES (1, 'green', 'AB', '(1,red)', 'a=>1', 'ecstatic')");
    src("CREATE TYPE size AS ENUM ('s', 'm'); ALTER TABLE t ADD COLUMN sz size; INSERT INTO t VALUES (5, 'sad', 'm')");
    auto followed = sync_ok(config("initial", "auto_add_columns = true"));
    EXPECT_NE(followed.err.find("added the labels the source's enum types gained"), std::string::npos) << followed.err;
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.dead_letters"), "0");
    EXPECT_EQ(tgt_value(labels("mood")), "sad,meh,ok,happy,ecstatic") << "in the source's order";
    EXPECT_EQ(tgt_value("SELECT extname FROM pg_extension WHERE extname = 'hstore'"), "hstore");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM later WHERE s = 'AB' AND (p).b = 'red' AND h -> 'a' = '1'"), "1");
    expect_converged();

    // Without auto_add_columns the target's enum is left as the DBA made
    // it: the value is refused, and kept as a dead letter.
    src("ALTER TYPE mood ADD VALUE 'angry'");
    src("INSERT INTO t VALUES (6, 'angry', 's')");
    sync_ok(config("initial"));
    EXPECT_EQ(tgt_value(labels("mood")), "sad,meh,ok,happy,ecstatic");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.dead_letters WHERE error LIKE '%enum%angry%'"), "1");
}

TEST_F(Convergence, AColumnDroppedOnTheSourceNoLongerRefusesTheTargetsRows) {
    // DROP COLUMN sends no row, only a RELATION without the column: the
    // target's copy of it stays NOT NULL, and every row inserted after
    // would be refused (and every update too, on a target older than
    // PostgreSQL 15, where whole rows are upserts, not merges).
    auto rows = [](const std::string& table) {
        return "SELECT string_agg(id || ':' || coalesce(kept, '-'), ',' ORDER BY id) FROM " + table;
    };
    src("CREATE TABLE d1 (id int PRIMARY KEY, gone text NOT NULL, kept text); "
        "CREATE TABLE d2 (id int PRIMARY KEY, gone text NOT NULL, kept text); "
        "INSERT INTO d1 VALUES (1, 'x', 'y'); INSERT INTO d2 VALUES (1, 'x', 'y')");
    sync_ok(config("initial"));
    src("ALTER TABLE d1 DROP COLUMN gone; INSERT INTO d1 VALUES (2, 'z'); UPDATE d1 SET kept = 'w' WHERE id = 1");
    auto relaxed = sync_ok(config("initial", "auto_add_columns = true"));
    EXPECT_NE(relaxed.err.find("its NOT NULL was dropped on the target"), std::string::npos) << relaxed.err;
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.dead_letters"), "0");
    EXPECT_EQ(tgt_value(rows("d1")), src_value(rows("d1")));
    EXPECT_EQ(tgt_value("SELECT string_agg(coalesce(gone, '-'), ',' ORDER BY id) FROM d1"), "x,-")
        << "the values it held stay";

    // Without auto_add_columns the target is left as it is, with the fix.
    src("ALTER TABLE d2 DROP COLUMN gone; INSERT INTO d2 VALUES (2, 'z'); UPDATE d2 SET kept = 'v' WHERE id = 1");
    auto warned = sync_ok(config("initial"));
    EXPECT_NE(warned.err.find("run ALTER TABLE \"public\".\"d2\" ALTER COLUMN \"gone\" DROP NOT NULL"),
              std::string::npos)
        << warned.err;
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.dead_letters"), "1");
    // The update of a row the target has merges the columns it names.
    EXPECT_EQ(tgt_value(rows("d2")), "1:v");
}

// The agent creates a schema the stream needs at the moment another
// session creates it too (its own sequence follower, another pipeline, a
// DBA): CREATE SCHEMA IF NOT EXISTS then waits for the other transaction
// and fails with a unique violation once it commits, which stopped the
// stream with exit 1 at every start until the other session was gone.
TEST_F(Convergence, ASchemaCreatedOnTheTargetAtTheSameMomentIsTakenAsIs) {
    src("CREATE TABLE t (id int PRIMARY KEY)");
    sync_ok(config("initial"));
    src("CREATE SCHEMA later; CREATE TABLE later.items (id int PRIMARY KEY, v text)");
    src("INSERT INTO later.items VALUES (1, 'one'), (2, 'two')");
    AgentProcess dba = target_session("dba", "BEGIN; CREATE SCHEMA later; SELECT pg_sleep(2); COMMIT");
    ASSERT_TRUE(wait_until([&] { return sleeping("dba"); })) << dba.err();
    auto run = sync_ok(config("initial"));
    ASSERT_TRUE(dba.wait(std::chrono::seconds(30)).has_value());
    EXPECT_EQ(tgt_value("SELECT string_agg(v, ',' ORDER BY id) FROM later.items"), "one,two") << describe(run);
    expect_converged();
}

TEST_F(Convergence, ATableCreatedAfterTheCopyGetsTheSourcesDefinition) {
    // The stream carries a new table's columns only; the copy would have
    // made its constraints, defaults, generated columns and indexes too.
    src("CREATE TABLE first (id int PRIMARY KEY)");
    sync_ok(config("initial"));
    src("CREATE TABLE later (id serial PRIMARY KEY, code text NOT NULL UNIQUE, qty int DEFAULT 1 CHECK (qty > 0), "
        "total int GENERATED ALWAYS AS (qty * 2) STORED, note text); CREATE INDEX later_note ON later (lower(note))");
    src("INSERT INTO later (code, note) VALUES ('a', 'x'), ('b', 'y'); UPDATE later SET qty = 5 WHERE code = 'b'");
    // Altered after its first change: the source's catalog no longer
    // describes that change, which alone then defines the table.
    src("CREATE TABLE altered (id int PRIMARY KEY, a text); INSERT INTO altered VALUES (1, 'x')");
    src("ALTER TABLE altered ADD COLUMN b int; CREATE INDEX altered_a ON altered (a); "
        "INSERT INTO altered VALUES (2, 'y', 3)");
    // Renamed after its first change: its OID names another table now.
    src("CREATE TABLE moved (id int PRIMARY KEY, v text); INSERT INTO moved VALUES (1, 'a')");
    src("ALTER TABLE moved RENAME TO moved_later; INSERT INTO moved_later VALUES (2, 'b')");
    auto run = sync_ok(config("initial", "auto_add_columns = true"));
    auto definition = [](const std::string& table) {
        return "SELECT string_agg(d, '; ' ORDER BY d) FROM ("
               "SELECT pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE conrelid = '" +
               table +
               "'::regclass UNION ALL "
               "SELECT indexdef FROM pg_indexes WHERE tablename = '" +
               table +
               "' UNION ALL "
               "SELECT attname || ' ' || coalesce(pg_get_expr(adbin, adrelid), '') FROM pg_attrdef "
               "JOIN pg_attribute ON attrelid = adrelid AND attnum = adnum WHERE adrelid = '" +
               table + "'::regclass) d";
    };
    EXPECT_EQ(tgt_value(definition("later")),
              "CHECK ((qty > 0)); CREATE INDEX later_note ON public.later USING btree (lower(note)); CREATE UNIQUE "
              "INDEX later_code_key ON public.later USING btree (code); CREATE UNIQUE INDEX later_pkey ON "
              "public.later USING btree (id); PRIMARY KEY (id); UNIQUE (code); qty 1; total (qty * 2)")
        << "the sequence's default stays on the source";
    EXPECT_EQ(tgt_value("SELECT string_agg(code || total, ',' ORDER BY code) FROM later"), "a2,b10");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM pg_indexes WHERE tablename = 'altered'"), "1") << "its key only";
    EXPECT_NE(run.err.find("from=\"source catalog\""), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("from=\"change stream\""), std::string::npos) << run.err;
    EXPECT_EQ(tgt_value("SELECT string_agg(id || v, ',' ORDER BY id) FROM moved"), "1a,2b");
    tgt("ALTER TABLE moved RENAME TO moved_later");
    expect_converged();
}

TEST_F(Convergence, APartitionTruncatedAloneEmptiesOnlyItsRowsOnTheTarget) {
    // The target holds a partitioned table's rows in one table: a TRUNCATE
    // of one partition must not empty the others, nor be lost.
    src("CREATE TABLE parted (id int, region text, v text, PRIMARY KEY (id, region)) PARTITION BY LIST (region); "
        "CREATE TABLE parted_eu PARTITION OF parted FOR VALUES IN ('eu'); "
        "CREATE TABLE parted_us PARTITION OF parted FOR VALUES IN ('us'); "
        "CREATE TABLE parted_rest PARTITION OF parted DEFAULT");
    src("CREATE TABLE rp (id int, at date, region text, PRIMARY KEY (id, at, region)) PARTITION BY RANGE (at); "
        "CREATE TABLE rp_2026 PARTITION OF rp FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') "
        "PARTITION BY LIST (region); "
        "CREATE TABLE rp_2026_eu PARTITION OF rp_2026 FOR VALUES IN ('eu'); "
        "CREATE TABLE rp_2026_rest PARTITION OF rp_2026 DEFAULT; "
        "CREATE TABLE rp_old PARTITION OF rp FOR VALUES FROM (MINVALUE) TO ('2026-01-01')");
    src("CREATE TABLE hp (id int PRIMARY KEY) PARTITION BY HASH (id); "
        "CREATE TABLE hp0 PARTITION OF hp FOR VALUES WITH (MODULUS 2, REMAINDER 0); "
        "CREATE TABLE hp1 PARTITION OF hp FOR VALUES WITH (MODULUS 2, REMAINDER 1)");
    src("INSERT INTO parted SELECT g, (ARRAY['eu', 'us', 'apac'])[g % 3 + 1], 'v' FROM generate_series(1, 30) g; "
        "INSERT INTO rp SELECT g, DATE '2025-12-30' + g % 4, (ARRAY['eu', 'us'])[g % 2 + 1] "
        "FROM generate_series(1, 40) g; "
        "INSERT INTO hp SELECT generate_series(1, 20)");
    sync_ok(config("initial"));

    src("BEGIN; INSERT INTO parted VALUES (100, 'us', 'before'); TRUNCATE parted_us; "
        "INSERT INTO parted VALUES (101, 'us', 'after'), (102, 'eu', 'after'); COMMIT");
    src("TRUNCATE parted_rest; TRUNCATE rp_2026_eu; TRUNCATE rp_old; TRUNCATE hp0");
    auto run = sync_ok(config("initial"));
    EXPECT_EQ(tgt_value("SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relkind = 'r' AND "
                        "relnamespace = 'public'::regnamespace"),
              "hp,parted,rp")
        << "no table of its own for a partition";
    EXPECT_EQ(tgt_value("SELECT count(*) FROM parted WHERE region = 'us'"), "1");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM parted WHERE region = 'eu'"),
              src_value("SELECT count(*) FROM parted_eu"));
    EXPECT_EQ(tgt_value("SELECT string_agg(change ->> 'tables' || ': ' || error, '; ') FROM tidemark.dead_letters"),
              "[\"\\\"public\\\".\\\"hp0\\\"\"]: partition \"public\".\"hp0\" was truncated on the source, but its "
              "rows cannot be told apart from the other partitions' in target table \"public\".\"hp\" (hash "
              "partitioning); copy the table again: tidemark sync --reseed \"public\".\"hp\"");
    for (const char* table : {"parted", "rp"})
        EXPECT_EQ(tgt_value(std::string("SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM ") + table + " x"),
                  src_value(std::string("SELECT md5(string_agg(x::text, ',' ORDER BY x::text)) FROM ") + table + " x"))
            << table;
    sync_ok(config("initial"), {"--reseed", "public.hp"});
    expect_converged();
}

TEST_F(Convergence, TablesWhoseChangesDoNotIdentifyTheRowAreNamedWithTheFix) {
    // Without a publication the source lets these UPDATEs and DELETEs
    // through; none of them can find its row on the target.
    src("CREATE TABLE nopk (a int, b text); CREATE TABLE nothing (id int PRIMARY KEY, v text); "
        "ALTER TABLE nothing REPLICA IDENTITY NOTHING; CREATE TABLE full_t (a int, b text); "
        "ALTER TABLE full_t REPLICA IDENTITY FULL; CREATE TABLE skipped (a int); "
        "CREATE TABLE parted (id int PRIMARY KEY) PARTITION BY RANGE (id); "
        "CREATE TABLE parted_low PARTITION OF parted FOR VALUES FROM (0) TO (100); "
        "CREATE TABLE parted_high PARTITION OF parted FOR VALUES FROM (100) TO (200); "
        "ALTER TABLE parted_high REPLICA IDENTITY NOTHING");
    src("INSERT INTO nopk VALUES (1, 'x'); INSERT INTO nothing VALUES (1, 'x'); INSERT INTO full_t VALUES (1, 'x')");
    const std::string cfg = config("initial", "", "exclude = [\"public.skipped\"]");
    TempFile file(cfg);
    auto check = run_agent({"check-config", "-c", file.path()});
    EXPECT_EQ(check.exit_code, 0) << describe(check);
    for (const char* part :
         {"warning source: replica identity of the tables: 3 tables log UPDATEs and DELETEs that do not identify",
          "\"public\".\"parted\" (partition \"public\".\"parted_high\"): ALTER TABLE \"public\".\"parted_high\" "
          "REPLICA IDENTITY DEFAULT",
          "\"public\".\"nopk\": add a primary key, or ALTER TABLE \"public\".\"nopk\" REPLICA IDENTITY FULL",
          "\"public\".\"nothing\": ALTER TABLE \"public\".\"nothing\" REPLICA IDENTITY DEFAULT"})
        EXPECT_NE(check.out.find(part), std::string::npos) << "missing " << part << " in:\n" << check.out;
    EXPECT_EQ(check.out.find("full_t"), std::string::npos) << check.out;
    EXPECT_EQ(check.out.find("skipped"), std::string::npos) << "excluded:\n" << check.out;

    sync_ok(cfg);
    src("UPDATE nopk SET b = 'y'; UPDATE nothing SET v = 'y'; DELETE FROM nothing; UPDATE full_t SET b = 'y'");
    auto run = sync_ok(cfg);
    for (const char* part : {"without the row's identity", "ALTER TABLE \"public\".\"nopk\" REPLICA IDENTITY FULL",
                             "ALTER TABLE \"public\".\"nothing\" REPLICA IDENTITY DEFAULT"})
        EXPECT_NE(run.err.find(part), std::string::npos) << "missing " << part << " in:\n" << run.err;
    EXPECT_EQ(tgt_value("SELECT string_agg(source_table || ' ' || operation, ', ' ORDER BY id) FROM "
                        "tidemark.dead_letters"),
              "\"public\".\"nopk\" update, \"public\".\"nothing\" update, \"public\".\"nothing\" delete");
    EXPECT_EQ(tgt_value("SELECT b FROM full_t"), "y");

    src("ALTER TABLE nothing REPLICA IDENTITY DEFAULT; ALTER TABLE nopk REPLICA IDENTITY FULL; "
        "ALTER TABLE parted_high REPLICA IDENTITY DEFAULT");
    auto fixed = run_agent({"check-config", "-c", file.path()});
    EXPECT_NE(fixed.out.find("ok      source: replica identity of the tables"), std::string::npos) << fixed.out;
}

TEST_F(Convergence, ARelationIsKnownByItsOidAcrossRenames) {
    // A rename sends no row, only a RELATION under the new name: taken for a
    // new table, its changes would fill an empty table beside the one that
    // holds its rows.
    auto rows = [](const std::string& table) {
        return "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM " + table;
    };
    src("CREATE TABLE a (id int PRIMARY KEY, v text); INSERT INTO a SELECT g, 'row ' || g FROM generate_series(1, 10) g");
    sync_ok(config("initial"));
    src("ALTER TABLE a RENAME TO b; INSERT INTO b VALUES (11, 'new'); UPDATE b SET v = 'changed' WHERE id = 1; "
        "DELETE FROM b WHERE id = 2");
    sync_ok(config("initial"));
    EXPECT_EQ(tgt_value("SELECT to_regclass('public.b') IS NULL"), "t") << "no second table for the same rows";
    EXPECT_EQ(tgt_value(rows("a")), src_value(rows("b")));
    tgt("ALTER TABLE a RENAME TO b");  // the names may follow whenever the DBA likes
    src("INSERT INTO b VALUES (12, 'later')");
    sync_ok(config("initial"));
    expect_converged();

    // Renamed while the agent was away, and a new table took the name: its
    // rows must not go into the table that holds the other's.
    src("ALTER TABLE b RENAME TO b_old; CREATE TABLE b (id int PRIMARY KEY, v text); INSERT INTO b VALUES (1, 'x')");
    auto taken = sync_once(config("initial"));
    EXPECT_EQ(taken.exit_code, 1) << describe(taken);
    EXPECT_NE(taken.err.find("is a new relation"), std::string::npos) << taken.err;
    EXPECT_EQ(tgt_value("SELECT count(*) FROM b WHERE v = 'x'"), "0");
    tgt("ALTER TABLE b RENAME TO b_old");
    src("INSERT INTO b_old VALUES (13, 'after')");
    sync_ok(config("initial"));
    expect_converged();

    // Two tables that swap names on the source only.
    src("ALTER TABLE b RENAME TO tmp; ALTER TABLE b_old RENAME TO b; ALTER TABLE tmp RENAME TO b_old; "
        "INSERT INTO b VALUES (14, 'swapped'); INSERT INTO b_old VALUES (2, 'two')");
    sync_ok(config("initial"));
    EXPECT_EQ(tgt_value(rows("b_old")), src_value(rows("b")));
    EXPECT_EQ(tgt_value(rows("b")), src_value(rows("b_old")));
    tgt("ALTER TABLE b RENAME TO tmp; ALTER TABLE b_old RENAME TO b; ALTER TABLE tmp RENAME TO b_old");
    sync_ok(config("initial"));
    expect_converged();

    // Dropped and created again: the target's table keeps the old rows
    // until the table is copied again.
    src("DROP TABLE b_old; CREATE TABLE b_old (id int PRIMARY KEY, v text); INSERT INTO b_old VALUES (100, 'y')");
    auto recreated = sync_ok(config("initial"));
    EXPECT_NE(recreated.err.find("was dropped and created again"), std::string::npos) << recreated.err;
    sync_ok(config("initial"), {"--reseed", "public.b_old"});
    expect_converged();

    // The target restored from pg_dump into another cluster: its tables got
    // new OIDs, which may be the ones the state recorded for other tables.
    // Rows recorded in another database are not trusted; the names decide.
    tgt("UPDATE tidemark.source_relations SET recorded_in = 0, target_relid = (CASE source_table "
        "WHEN '\"public\".\"b\"' THEN 'public.b_old' ELSE 'public.b' END)::regclass");
    src("INSERT INTO b VALUES (15, 'restored'); INSERT INTO b_old VALUES (101, 'z')");
    sync_ok(config("initial"));
    expect_converged();
}

TEST_F(Convergence, TextValuesDoNotDependOnTheSourcesDateStyle) {
    // User-defined types travel as text, written in the walsender's session
    // forms: a source whose defaults are a DMY DateStyle, SQL-standard
    // intervals and short floats must still arrive as the same values.
    for (const char* setting : {"datestyle = 'SQL, DMY'", "intervalstyle = 'sql_standard'", "extra_float_digits = 0"})
        src("ALTER DATABASE " + db() + " SET " + setting);
    src("CREATE DOMAIN day AS date; CREATE TYPE reading AS (at timestamptz, value float8, span interval); "
        "CREATE TABLE t (id int PRIMARY KEY, d day, r reading, rs reading[])");
    const std::string row = "'2026-11-05', ROW('2026-11-05 10:00:00+00', 0.1::float8 + 0.2, '-1 day -02:03:04')";
    src("INSERT INTO t VALUES (1, " + row + ", ARRAY[ROW('2026-02-03 04:05:06.789+01', 1e-300, '-3 mons')::reading])");
    sync_ok(config("initial"));
    src("INSERT INTO t VALUES (2, " + row + ", ARRAY[ROW('2026-02-03 04:05:06.789+01', 1e-300, '-3 mons')::reading])");
    sync_ok(config("initial"));
    EXPECT_EQ(tgt_value("SELECT count(*) FROM t WHERE d = '2026-11-05' AND (r).at = '2026-11-05 10:00:00+00' AND "
                        "(r).value = 0.1::float8 + 0.2 AND (r).span = '-1 day -02:03:04'::interval"),
              "2");
    expect_converged();
}

TEST_F(Convergence, AddedColumnsHoldWhatTheSourcesOlderRowsRead) {
    src("CREATE TABLE t (id int PRIMARY KEY, a text)");
    src("INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 100) g");
    sync_ok(config("initial"));
    // Constant defaults: the older rows read them, and no WAL says so.
    src("ALTER TABLE t ADD COLUMN status text NOT NULL DEFAULT 'it''s active', ADD COLUMN since timestamptz DEFAULT "
        "now(), ADD COLUMN tags int[] DEFAULT '{1,2}', ADD COLUMN plain int");
    src("INSERT INTO t VALUES (101, 'new', 'fresh', now(), '{3}', 7)");

    auto refused = sync_once(config("initial"));
    EXPECT_EQ(refused.exit_code, 1) << describe(refused);
    EXPECT_NE(refused.err.find("ADD COLUMN \"status\" text DEFAULT 'it''s active'::text"), std::string::npos)
        << "the hint must give the value the older rows need:\n"
        << refused.err;

    sync_ok(config("initial", "auto_add_columns = true"));
    EXPECT_EQ(tgt_value("SELECT count(*) FROM t WHERE status = 'it''s active' AND tags = '{1,2}' AND plain IS NULL"),
              "100");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM pg_attrdef WHERE adrelid = 't'::regclass"), "0")
        << "the target keeps no default of its own";
    expect_converged();

    // A default that is not a constant rewrites the source table: the older
    // rows' values are not in the stream, which is said.
    src("ALTER TABLE t ADD COLUMN r float8 DEFAULT random()");
    src("UPDATE t SET a = 'touched' WHERE id = 1");
    auto warned = sync_ok(config("initial", "auto_add_columns = true"));
    EXPECT_NE(warned.err.find("--reseed public.t"), std::string::npos) << warned.err;
}

}  // namespace
}  // namespace tidemark::testing
