// Unit tests of the replication sub-protocol messages, the decoder option
// list and the output_plugin_libraries advice: the parts of stream/ that
// need no server.
#include <gtest/gtest.h>

#include <string>

#include "pg/database_error.hpp"
#include "stream/plugin_allowance.hpp"
#include "stream/replication_message.hpp"
#include "stream/stream_options.hpp"
#include "wire/varint.hpp"

namespace tidemark::stream {
namespace {

std::string be64(std::uint64_t v) {
    std::string out;
    wire::append_i64(out, static_cast<std::int64_t>(v));
    return out;
}

TEST(ReplicationMessage, ParsesXLogData) {
    std::string data = "w" + be64(0x100) + be64(0x1FF) + be64(12345) + "payload";
    auto m = std::get<XLogDataHeader>(parse_server_message(data));
    EXPECT_EQ(m.wal_start.to_string(), "0/100");
    EXPECT_EQ(m.wal_end.to_string(), "0/1FF");
    EXPECT_EQ(m.send_time, 12345);
    EXPECT_EQ(data.substr(m.payload_offset), "payload");
}

TEST(ReplicationMessage, ParsesKeepalive) {
    auto k = std::get<Keepalive>(parse_server_message("k" + be64(0x2000000010ULL) + be64(7) + "\x01"));
    EXPECT_EQ(k.wal_end.to_string(), "20/10");
    EXPECT_EQ(k.send_time, 7);
    EXPECT_TRUE(k.reply_requested);
}

TEST(ReplicationMessage, ShortOrUnknownMessagesAreProtocolViolations) {
    for (const std::string& bad :
         {std::string(), std::string("w") + be64(1), std::string("k") + be64(1) + be64(2), std::string("x123")}) {
        try {
            parse_server_message(bad);
            ADD_FAILURE() << "accepted " << bad.size() << " bytes";
        } catch (const pg::DatabaseError& e) {
            EXPECT_EQ(e.sqlstate(), "08P01");
            EXPECT_TRUE(e.is_connection_error());
        }
    }
}

TEST(ReplicationMessage, EncodesStandbyStatus) {
    std::string r = encode_standby_status(pg::Lsn(1), pg::Lsn(2), pg::Lsn(3), 4, true);
    EXPECT_EQ(r, "r" + be64(1) + be64(2) + be64(3) + be64(4) + "\x01");
    EXPECT_EQ(encode_standby_status(pg::Lsn(), pg::Lsn(), pg::Lsn(), 0, false).back(), '\0');
}

TEST(StreamOptions, QuotesNamesAndValuesForTheReplicationGrammar) {
    StreamOptions o;
    o.include = {"public.*", "\"Sales\".orders"};
    o.messages = {"tidemark"};
    o.write_batch_size = 0;
    o.extra = {{"future", "it's"}};
    EXPECT_EQ(option_clause(o),
              "(\"proto_version\" '1', \"binary\" 'true', \"include\" 'public.*,\"Sales\".orders', "
              "\"messages\" 'tidemark', \"write_batch_size\" '0', \"future\" 'it''s')");
    StreamOptions plain;
    plain.binary = false;
    plain.streaming = true;
    plain.origin = "none";
    EXPECT_EQ(option_clause(plain),
              "(\"proto_version\" '1', \"binary\" 'false', \"origin\" 'none', \"streaming\" 'true')");
    EXPECT_EQ(replication_literal("a\\b"), "'a\\b'");
}

TEST(PluginAllowance, SplitsListSettingsAsPostgresDoes) {
    EXPECT_EQ(split_setting_list("pgoutput, test_decoding"), (std::vector<std::string>{"pgoutput", "test_decoding"}));
    EXPECT_EQ(split_setting_list(" a ,\"b, c\" , \"d\"\"e\""), (std::vector<std::string>{"a", "b, c", "d\"e"}));
    EXPECT_TRUE(split_setting_list("").empty());
}

TEST(PluginAllowance, SuggestsTheCurrentValuePlusTidemark) {
    PluginAllowance a = plugin_allowance(std::string("pgoutput, test_decoding"));
    EXPECT_FALSE(a.allowed);
    EXPECT_EQ(a.suggested_line, "output_plugin_libraries = 'pgoutput, test_decoding, tidemark'");
    PluginNotAllowedError e(a);
    EXPECT_NE(std::string(e.what()).find("output_plugin_libraries = 'pgoutput, test_decoding, tidemark'"),
              std::string::npos);

    EXPECT_EQ(plugin_allowance(std::string("")).suggested_line, "output_plugin_libraries = 'tidemark'");
    EXPECT_EQ(plugin_allowance(std::string("\"My Plugin\"")).suggested_line,
              "output_plugin_libraries = '\"My Plugin\", tidemark'");
    EXPECT_TRUE(plugin_allowance(std::string("pgoutput,tidemark")).allowed);
    // No such setting: the server loads any plugin.
    EXPECT_TRUE(plugin_allowance(std::nullopt).allowed);
}

}  // namespace
}  // namespace tidemark::stream
