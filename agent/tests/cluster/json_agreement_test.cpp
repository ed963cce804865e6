// The C++ parser and the server's tidemark.to_json must print the same
// text for real decoder output: a workload covering every message type
// and value kind is decoded through pg_logical_slot_peek_binary_changes,
// and every row is rendered both ways.  Complements the fixed vectors of
// regress/vectors with whatever the installed decoder emits today.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "pg/connection.hpp"
#include "test_cluster.hpp"
#include "wire/json.hpp"
#include "wire/parser.hpp"

namespace tidemark::wire {
namespace {

using testing::TestCluster;

std::string unhex(std::string_view text) {
    // bytea output: \x then hex digits
    auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    std::string out;
    for (std::size_t i = 2; i + 1 < text.size(); i += 2)
        out += static_cast<char>((nibble(text[i]) << 4) | nibble(text[i + 1]));
    return out;
}

void compare_all(pg::Connection& conn, const std::string& slot, const std::string& options,
                 std::set<std::string>& seen) {
    pg::Result r = conn.exec("SELECT data, tidemark.to_json(data)::text FROM pg_logical_slot_peek_binary_changes('" +
                             slot + "', NULL, NULL" + options + ")");
    ASSERT_GT(r.rows(), 0);
    for (int i = 0; i < r.rows(); ++i) {
        std::string payload = unhex(r.value(i, 0));
        std::string mine;
        std::vector<Message> messages;
        ASSERT_NO_THROW(messages = parse_all(payload)) << "row " << i << " of " << slot << options;
        for (const auto& m : messages) {
            seen.emplace(type_name(m));
            if (auto* u = std::get_if<Update>(&m)) {
                for (const auto& v : u->new_tuple)
                    if (v.kind == ValueKind::unchanged_toast) seen.emplace("unchanged_toast");
                if (u->old_kind == OldKind::key) seen.emplace("old_key");
                if (u->old_kind == OldKind::full) seen.emplace("old_full");
            }
            if (auto* ins = std::get_if<Insert>(&m); ins && ins->xid) seen.emplace("xid_prefixed");
        }
        ASSERT_NO_THROW(mine = to_json(messages)) << "row " << i << " of " << slot << options;
        EXPECT_EQ(mine, r.value(i, 1)) << "row " << i << " of " << slot << options;
    }
}

TEST(JsonAgreement, EveryRowOfARealWorkloadRendersAsTheServerDoes) {
    TestCluster cluster("h3-json", {"logical_decoding_work_mem=64kB"});
    pg::Connection conn = pg::Connection::connect(cluster.conninfo());
    conn.exec("CREATE EXTENSION tidemark");
    conn.exec("SELECT pg_create_logical_replication_slot('agree', 'tidemark')");
    conn.exec(R"sql(
        CREATE TYPE mood AS ENUM ('sad', 'happy');
        CREATE TABLE "Mixed Case" (id int PRIMARY KEY, "Note" text, m mood, n numeric, t timestamptz,
                                   b bytea, j jsonb, u uuid, a int[], f bool, big text);
        CREATE TABLE full_ri (id int, v text);
        ALTER TABLE full_ri REPLICA IDENTITY FULL;
        CREATE TABLE parent (id int PRIMARY KEY);
        CREATE TABLE child (id serial PRIMARY KEY, p int REFERENCES parent);
        INSERT INTO "Mixed Case" VALUES
            (1, E'tab\there "quoted" \\ back', 'happy', 'NaN', '2026-01-02 03:04:05.123456+00', '\x00ff',
             '{"k": [1, 2]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,NULL,3}', true,
             (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 5000) g)),
            (2, NULL, NULL, '-Infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL);
        UPDATE "Mixed Case" SET "Note" = 'unchanged big' WHERE id = 1;
        UPDATE "Mixed Case" SET id = 3 WHERE id = 2;
        DELETE FROM "Mixed Case" WHERE id = 3;
        INSERT INTO full_ri VALUES (1, 'a');
        UPDATE full_ri SET v = 'b';
        DELETE FROM full_ri;
        INSERT INTO parent VALUES (1);
        INSERT INTO child (p) VALUES (1);
        TRUNCATE parent, child RESTART IDENTITY CASCADE;
        SELECT pg_logical_emit_message(true, 'tidemark', 'watermark 1');
        SELECT pg_logical_emit_message(false, 'other', '\xfffe'::bytea);
    )sql");
    conn.exec("BEGIN");
    conn.exec("INSERT INTO full_ri SELECT g, repeat('y', 200) FROM generate_series(1, 2000) g");
    conn.exec("SAVEPOINT s");
    conn.exec("INSERT INTO full_ri SELECT g, 'rolled back' FROM generate_series(1, 1000) g");
    conn.exec("ROLLBACK TO SAVEPOINT s");
    conn.exec("INSERT INTO full_ri VALUES (0, 'after savepoint')");
    conn.exec("COMMIT");

    std::set<std::string> seen;
    compare_all(conn, "agree", ", 'messages', '*'", seen);
    compare_all(conn, "agree", ", 'messages', '*', 'binary', 'true'", seen);
    compare_all(conn, "agree", ", 'messages', '*', 'write_batch_size', '0'", seen);
    compare_all(conn, "agree", ", 'messages', '*', 'streaming', 'true', 'binary', 'true'", seen);
    // The workload must really have covered what it claims to.
    for (const char* kind :
         {"begin", "commit", "relation", "insert", "update", "delete", "truncate", "message", "stream_start",
          "stream_stop", "stream_commit", "unchanged_toast", "old_key", "old_full", "xid_prefixed"})
        EXPECT_TRUE(seen.count(kind)) << kind << " never appeared";
}

}  // namespace
}  // namespace tidemark::wire
