// Unit tests of wire::to_json: the exact text jsonb would print for the
// shapes decoder/reader.c documents (key order by length then bytes,
// ", " and ": " separators, bytea hex, escapes).
#include <gtest/gtest.h>

#include <string>

#include "payload_builder.hpp"
#include "wire/json.hpp"
#include "wire/parser.hpp"

namespace tidemark::wire {
namespace {

using testing::Body;
using testing::message;

constexpr std::int64_t kTime = 820638245000006LL;  // 2026-01-02T03:04:05.000006+00:00

std::string json_of(const std::string& payload) { return to_json(parse_all(payload)); }

TEST(Json, BeginSortsKeysByLengthThenBytes) {
    std::string payload = message(
        TM_MSG_BEGIN, Body().uvar(0x16B374D848ULL).i64(kTime).uvar(731).u8(TM_BEGIN_HAS_ORIGIN).str("node_a").uvar(42));
    EXPECT_EQ(json_of(payload),
              "{\"xid\": 731, \"type\": \"begin\", \"origin\": {\"lsn\": \"0/2A\", \"name\": \"node_a\"}, "
              "\"final_lsn\": \"16/B374D848\", \"commit_time\": \"2026-01-02T03:04:05.000006+00:00\"}");
}

TEST(Json, CommitWithoutOriginHasNoOriginKey) {
    std::string payload = message(TM_MSG_COMMIT, Body().u8(0).uvar(0x100).uvar(0x1FF).i64(0));
    EXPECT_EQ(json_of(payload),
              "{\"type\": \"commit\", \"end_lsn\": \"0/1FF\", \"commit_lsn\": \"0/100\", "
              "\"commit_time\": \"2000-01-01T00:00:00.000000+00:00\"}");
}

TEST(Json, RelationOmitsEmptyTypeName) {
    std::string payload = message(TM_MSG_RELATION, Body()
                                                       .uvar(16384)
                                                       .uvar(1)
                                                       .str("public")
                                                       .str("t")
                                                       .u8(TM_RI_FULL)
                                                       .uvar(2)
                                                       .u8(TM_COL_PRIMARY_KEY)
                                                       .str("id")
                                                       .uvar(23)
                                                       .svar(-1)
                                                       .str("")
                                                       .u8(0)
                                                       .str("m")
                                                       .uvar(16390)
                                                       .svar(12)
                                                       .str("public.mood"));
    EXPECT_EQ(json_of(payload),
              "{\"name\": \"t\", \"type\": \"relation\", \"relid\": 16384, \"columns\": ["
              "{\"name\": \"id\", \"typmod\": -1, \"identity\": false, \"not_null\": false, \"type_oid\": 23, "
              "\"primary_key\": true}, "
              "{\"name\": \"m\", \"typmod\": 12, \"identity\": false, \"not_null\": false, \"type_oid\": 16390, "
              "\"type_name\": \"public.mood\", \"primary_key\": false}], "
              "\"namespace\": \"public\", \"schema_version\": 1, \"replica_identity\": \"full\"}");
}

TEST(Json, TupleValuesOfEveryKind) {
    std::string payload = message(TM_MSG_UPDATE | TM_XID_PREFIXED, Body()
                                                                       .uvar(12)
                                                                       .uvar(5)
                                                                       .u8(TM_OLD_KEY)
                                                                       .uvar(1)
                                                                       .text_value("a\"b\\c\n\x01")
                                                                       .uvar(3)
                                                                       .null_value()
                                                                       .toast_value()
                                                                       .binary_value(std::string("\x00\xff", 2)));
    EXPECT_EQ(json_of(payload),
              "{\"new\": [null, {\"unchanged_toast\": true}, {\"binary\": \"\\\\x00ff\"}], "
              "\"old\": [{\"text\": \"a\\\"b\\\\c\\n\\u0001\"}], \"xid\": 12, \"type\": \"update\", \"relid\": 5, "
              "\"old_kind\": \"key\"}");
}

TEST(Json, DeleteUnderReplicaIdentityNothingHasNoOldKeys) {
    EXPECT_EQ(json_of(message(TM_MSG_DELETE, Body().uvar(9).u8(0))), "{\"type\": \"delete\", \"relid\": 9}");
}

TEST(Json, MessageShowsTextOnlyForValidUtf8WithoutNul) {
    std::string payload =
        message(TM_MSG_MESSAGE, Body().u8(TM_MESSAGE_TRANSACTIONAL).uvar(1).str("tidemark").str("h\xc3\xa9")) +
        message(TM_MSG_MESSAGE, Body().u8(0).uvar(2).str("p").str("\xff")) +
        message(TM_MSG_MESSAGE, Body().u8(0).uvar(3).str("p").str(std::string("a\0", 2)));
    EXPECT_EQ(json_of(payload),
              "[{\"lsn\": \"0/1\", \"type\": \"message\", \"prefix\": \"tidemark\", \"content\": \"\\\\x68c3a9\", "
              "\"content_text\": \"h\xc3\xa9\", \"transactional\": true}, "
              "{\"lsn\": \"0/2\", \"type\": \"message\", \"prefix\": \"p\", \"content\": \"\\\\xff\", "
              "\"transactional\": false}, "
              "{\"lsn\": \"0/3\", \"type\": \"message\", \"prefix\": \"p\", \"content\": \"\\\\x6100\", "
              "\"transactional\": false}]");
}

TEST(Json, TruncateAndStreamMessages) {
    std::string payload = message(TM_MSG_TRUNCATE, Body().u8(TM_TRUNCATE_CASCADE).uvar(2).uvar(10).uvar(11)) +
                          message(TM_MSG_STREAM_START, Body().uvar(5).u8(0)) + message(TM_MSG_STREAM_STOP, Body()) +
                          message(TM_MSG_STREAM_ABORT, Body().uvar(5).uvar(6)) +
                          message(TM_MSG_STREAM_COMMIT, Body().uvar(5).u8(0).uvar(16).uvar(32).i64(kTime));
    EXPECT_EQ(json_of(payload),
              "[{\"type\": \"truncate\", \"relids\": [10, 11], \"cascade\": true, \"restart_identity\": false}, "
              "{\"xid\": 5, \"type\": \"stream_start\", \"first\": false}, "
              "{\"type\": \"stream_stop\"}, "
              "{\"xid\": 5, \"type\": \"stream_abort\", \"subxid\": 6}, "
              "{\"xid\": 5, \"type\": \"stream_commit\", \"end_lsn\": \"0/20\", \"commit_lsn\": \"0/10\", "
              "\"commit_time\": \"2026-01-02T03:04:05.000006+00:00\"}]");
}

TEST(Json, UnknownMessageGivesCodeAndLength) {
    EXPECT_EQ(json_of(message(0x80 | 'Z', Body().raw("abc"))), "{\"code\": 218, \"type\": \"unknown\", \"length\": 3}");
}

TEST(Json, EmptyPayloadIsAnEmptyArray) { EXPECT_EQ(json_of(""), "[]"); }

}  // namespace
}  // namespace tidemark::wire
