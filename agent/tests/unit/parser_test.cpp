// Unit tests of wire::Parser on payloads built byte by byte: every message
// type, the strictness rules shared with decoder/reader.c, and truncation.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "payload_builder.hpp"
#include "wire/format_error.hpp"
#include "wire/parser.hpp"

namespace tidemark::wire {
namespace {

using testing::Body;
using testing::message;

// 2026-01-02 03:04:05.000006 UTC in PostgreSQL microseconds.
constexpr std::int64_t kTime = 820638245000006LL;

std::string begin_with_origin() {
    return message(TM_MSG_BEGIN,
                   Body().uvar(0x16B374D848ULL).i64(kTime).uvar(731).u8(TM_BEGIN_HAS_ORIGIN).str("node_a").uvar(42));
}

std::string relation_message() {
    return message(TM_MSG_RELATION, Body()
                                        .uvar(16384)
                                        .uvar(2)
                                        .str("public")
                                        .str("Orders")
                                        .u8(TM_RI_DEFAULT)
                                        .uvar(2)
                                        .u8(TM_COL_IDENTITY | TM_COL_PRIMARY_KEY | TM_COL_NOT_NULL)
                                        .str("id")
                                        .uvar(23)
                                        .svar(-1)
                                        .str("")
                                        .u8(0)
                                        .str("mood")
                                        .uvar(16390)
                                        .svar(-1)
                                        .str("public.mood"));
}

TEST(Parser, ReadsBeginWithOrigin) {
    std::string payload = begin_with_origin();
    auto messages = parse_all(payload);
    ASSERT_EQ(messages.size(), 1u);
    const auto& b = std::get<Begin>(messages[0]);
    EXPECT_EQ(b.final_lsn, 0x16B374D848ULL);
    EXPECT_EQ(b.commit_time, kTime);
    EXPECT_EQ(b.xid, 731u);
    ASSERT_TRUE(b.origin_name.has_value());
    EXPECT_EQ(*b.origin_name, "node_a");
    EXPECT_EQ(b.origin_lsn, 42u);
}

TEST(Parser, ReadsRelationColumnsAndFlags) {
    std::string payload = relation_message();
    auto r = std::get<Relation>(parse_all(payload).at(0));
    EXPECT_FALSE(r.xid.has_value());
    EXPECT_EQ(r.relid, 16384u);
    EXPECT_EQ(r.schema_version, 2u);
    EXPECT_EQ(r.ns, "public");
    EXPECT_EQ(r.name, "Orders");
    EXPECT_EQ(r.replica_identity, ReplicaIdentity::default_key);
    ASSERT_EQ(r.columns.size(), 2u);
    EXPECT_TRUE(r.columns[0].identity && r.columns[0].primary_key && r.columns[0].not_null);
    EXPECT_EQ(r.columns[0].type_oid, 23u);
    EXPECT_EQ(r.columns[0].typmod, -1);
    EXPECT_EQ(r.columns[1].type_name, "public.mood");
    EXPECT_FALSE(r.columns[1].identity || r.columns[1].primary_key || r.columns[1].not_null);
}

TEST(Parser, ValuesAreViewsIntoThePayload) {
    std::string payload =
        message(TM_MSG_INSERT, Body().uvar(16384).uvar(4).text_value("42").null_value().toast_value().binary_value(
                                   std::string("\x00\x01", 2)));
    auto ins = std::get<Insert>(parse_all(payload).at(0));
    ASSERT_EQ(ins.new_tuple.size(), 4u);
    EXPECT_EQ(ins.new_tuple[0].kind, ValueKind::text);
    EXPECT_EQ(ins.new_tuple[0].bytes, "42");
    EXPECT_GE(ins.new_tuple[0].bytes.data(), payload.data());
    EXPECT_LT(ins.new_tuple[0].bytes.data(), payload.data() + payload.size());
    EXPECT_EQ(ins.new_tuple[1].kind, ValueKind::null);
    EXPECT_EQ(ins.new_tuple[2].kind, ValueKind::unchanged_toast);
    EXPECT_EQ(ins.new_tuple[3].kind, ValueKind::binary);
    EXPECT_EQ(ins.new_tuple[3].bytes, std::string("\x00\x01", 2));
}

TEST(Parser, ReadsUpdateAndDeleteOldTuples) {
    std::string payload =
        message(TM_MSG_UPDATE, Body().uvar(7).u8(TM_OLD_KEY).uvar(1).text_value("1").uvar(1).text_value("2")) +
        message(TM_MSG_UPDATE, Body().uvar(7).u8(0).uvar(1).text_value("3")) +
        message(TM_MSG_DELETE, Body().uvar(7).u8(TM_OLD_FULL).uvar(1).text_value("4")) +
        message(TM_MSG_DELETE, Body().uvar(7).u8(0));
    auto m = parse_all(payload);
    ASSERT_EQ(m.size(), 4u);
    EXPECT_EQ(std::get<Update>(m[0]).old_kind, OldKind::key);
    EXPECT_EQ(std::get<Update>(m[0]).old_tuple.at(0).bytes, "1");
    EXPECT_EQ(std::get<Update>(m[0]).new_tuple.at(0).bytes, "2");
    EXPECT_EQ(std::get<Update>(m[1]).old_kind, OldKind::none);
    EXPECT_TRUE(std::get<Update>(m[1]).old_tuple.empty());
    EXPECT_EQ(std::get<Delete>(m[2]).old_kind, OldKind::full);
    EXPECT_EQ(std::get<Delete>(m[3]).old_kind, OldKind::none);
}

TEST(Parser, ReadsXidPrefixedChangesInsideAStream) {
    std::string payload = message(TM_MSG_STREAM_START, Body().uvar(900).u8(TM_STREAM_FIRST)) +
                          message(TM_MSG_INSERT | TM_XID_PREFIXED, Body().uvar(901).uvar(5).uvar(0)) +
                          message(TM_MSG_STREAM_STOP, Body()) +
                          message(TM_MSG_STREAM_ABORT, Body().uvar(900).uvar(901)) +
                          message(TM_MSG_STREAM_COMMIT, Body().uvar(900).u8(0).uvar(100).uvar(120).i64(kTime));
    auto m = parse_all(payload);
    ASSERT_EQ(m.size(), 5u);
    EXPECT_TRUE(std::get<StreamStart>(m[0]).first);
    EXPECT_EQ(std::get<Insert>(m[1]).xid, 901u);
    EXPECT_EQ(std::get<Insert>(m[1]).relid, 5u);
    EXPECT_TRUE(std::holds_alternative<StreamStop>(m[2]));
    EXPECT_EQ(std::get<StreamAbort>(m[3]).subxid, 901u);
    EXPECT_EQ(std::get<StreamCommit>(m[4]).end_lsn, 120u);
}

TEST(Parser, ReadsTruncateAndMessage) {
    std::string payload =
        message(TM_MSG_TRUNCATE,
                Body().u8(TM_TRUNCATE_CASCADE | TM_TRUNCATE_RESTART_IDENTITY).uvar(2).uvar(1).uvar(2)) +
        message(TM_MSG_MESSAGE, Body().u8(TM_MESSAGE_TRANSACTIONAL).uvar(77).str("tidemark").str("w1"));
    auto m = parse_all(payload);
    const auto& t = std::get<Truncate>(m.at(0));
    EXPECT_TRUE(t.cascade);
    EXPECT_TRUE(t.restart_identity);
    EXPECT_EQ(t.relids, (std::vector<std::uint32_t>{1, 2}));
    const auto& lm = std::get<LogicalMessage>(m.at(1));
    EXPECT_TRUE(lm.transactional);
    EXPECT_EQ(lm.prefix, "tidemark");
    EXPECT_EQ(lm.content, "w1");
}

TEST(Parser, SkipsUnknownMessageTypesByLength) {
    std::string payload = message('Z', Body().raw("future")) + message(TM_MSG_STREAM_STOP, Body());
    auto m = parse_all(payload);
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(std::get<Unknown>(m[0]).code, 'Z');
    EXPECT_EQ(std::get<Unknown>(m[0]).body, "future");
    EXPECT_TRUE(std::holds_alternative<StreamStop>(m[1]));
}

void expect_error(const std::string& payload, std::size_t offset, const std::string& fragment) {
    try {
        parse_all(payload);
        ADD_FAILURE() << "no error; expected one at offset " << offset << " about " << fragment;
    } catch (const FormatError& e) {
        EXPECT_EQ(e.offset(), offset) << e.what();
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

TEST(Parser, RefusesReservedFlagBits) {
    expect_error(message(TM_MSG_COMMIT, Body().u8(0x04).uvar(1).uvar(2).i64(kTime)), 2, "reserved bits");
    expect_error(message(TM_MSG_DELETE, Body().uvar(1).u8(0x08)), 3, "reserved bits");
    expect_error(message(TM_MSG_DELETE, Body().uvar(1).u8(TM_OLD_KEY | TM_OLD_FULL).uvar(0)), 3, "both");
    expect_error(message(TM_MSG_STREAM_START, Body().uvar(1).u8(0x02)), 3, "reserved bits");
}

TEST(Parser, RefusesNonEmptyNullValues) {
    expect_error(message(TM_MSG_INSERT, Body().uvar(1).uvar(1).uvar((3 << 2) | TM_VALUE_NULL)), 4, "length");
}

TEST(Parser, RefusesXidPrefixOnTransactionFraming) {
    expect_error(message(TM_MSG_BEGIN | TM_XID_PREFIXED, Body().uvar(1).i64(kTime).uvar(1).u8(0)), 0, "xid prefix");
}

TEST(Parser, RefusesTrailingBytesInAKnownMessage) {
    expect_error(message(TM_MSG_STREAM_ABORT, Body().uvar(1).uvar(1).u8(0)), 4, "unexpected bytes");
}

TEST(Parser, RefusesABodyLongerThanThePayload) {
    std::string payload = message(TM_MSG_STREAM_STOP, Body());
    payload[1] = 5;
    expect_error(payload, 1, "exceeds");
}

TEST(Parser, RefusesCountsTheRemainingBytesCannotHold) {
    expect_error(message(TM_MSG_INSERT, Body().uvar(1).uvar(1000000)), 3, "column count");
}

TEST(Parser, RefusesUnknownReplicaIdentity) {
    expect_error(message(TM_MSG_RELATION, Body().uvar(1).uvar(1).str("s").str("t").u8('x').uvar(0)), 8,
                 "replica_identity");
}

TEST(Parser, RefusesCommitTimesOutsideYears1To9999) {
    expect_error(message(TM_MSG_COMMIT, Body().u8(0).uvar(1).uvar(2).i64(INT64_MAX)), 5, "outside years");
}

TEST(Parser, RefusesNulBytesInNamesAndTextValues) {
    expect_error(message(TM_MSG_INSERT, Body().uvar(1).uvar(1).text_value(std::string("a\0b", 3))), 4, "NUL");
    expect_error(message(TM_MSG_MESSAGE, Body().u8(0).uvar(1).str(std::string("p\0", 2)).str("")), 4, "NUL");
}

// Every proper prefix of a valid payload must be refused with a
// FormatError, never read past its end or accepted, except a cut exactly
// between two messages, which is a valid shorter payload.
TEST(Parser, EveryTruncationIsAnError) {
    std::vector<std::string> parts{begin_with_origin(), relation_message(),
                                   message(TM_MSG_UPDATE, Body()
                                                              .uvar(7)
                                                              .u8(TM_OLD_FULL)
                                                              .uvar(2)
                                                              .text_value("1")
                                                              .null_value()
                                                              .uvar(2)
                                                              .binary_value("xy")
                                                              .toast_value()),
                                   message(TM_MSG_COMMIT, Body().u8(0).uvar(1).uvar(2).i64(kTime))};
    std::string payload;
    std::vector<std::size_t> boundaries{0};
    for (const auto& p : parts) {
        payload += p;
        boundaries.push_back(payload.size());
    }
    ASSERT_EQ(parse_all(payload).size(), parts.size());
    for (std::size_t n = 0; n < payload.size(); ++n) {
        std::string prefix = payload.substr(0, n);
        bool boundary = std::find(boundaries.begin(), boundaries.end(), n) != boundaries.end();
        if (boundary) {
            EXPECT_NO_THROW(parse_all(prefix)) << n;
            continue;
        }
        try {
            parse_all(prefix);
            ADD_FAILURE() << "a prefix of " << n << " bytes was accepted";
        } catch (const FormatError& e) {
            EXPECT_LE(e.offset(), n) << e.what();
        }
    }
}

}  // namespace
}  // namespace tidemark::wire
