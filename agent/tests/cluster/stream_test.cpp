// stream/ against real clusters (regress/agent/harness): slot creation
// with an exported snapshot, streaming and parsing real decoder output,
// feedback that confirms only what the caller says, keepalive replies,
// connection loss, the output_plugin_libraries advice, and check-config.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "cli/app.hpp"
#include "cli/exit_codes.hpp"
#include "config/config_loader.hpp"
#include "pg/connection.hpp"
#include "pg/database_error.hpp"
#include "stream/plugin_allowance.hpp"
#include "stream/receive_timeout.hpp"
#include "stream/replication_connection.hpp"
#include "stream/slot_info.hpp"
#include "stream/stream_reader.hpp"
#include "test_cluster.hpp"
#include "wire/parser.hpp"

namespace tidemark::stream {
namespace {

using namespace std::chrono_literals;
using testing::TestCluster;
using testing::wait_until;

class StreamTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { cluster_ = std::make_unique<TestCluster>("h3-stream"); }
    static void TearDownTestSuite() { cluster_.reset(); }

    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        slot_ = "s_" + std::string(info->name());
        for (auto& c : slot_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        table_ = "t_" + slot_;
        cluster_->exec("CREATE TABLE " + table_ + " (id int PRIMARY KEY, note text)");
    }

    void TearDown() override {
        cluster_->exec("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" +
                       slot_ + "' AND NOT active");
        cluster_->exec("DROP TABLE IF EXISTS " + table_);
    }

    pg::Connection sql() { return pg::Connection::connect(cluster_->conninfo()); }

    // Reads until a COMMIT arrives or the deadline passes; returns every
    // message of the transaction (BEGIN .. COMMIT).
    struct Transaction {
        std::vector<XLogData> frames;  // keeps the payloads alive
        std::vector<wire::Message> messages;
        pg::Lsn end_lsn;
    };
    static Transaction read_transaction(StreamReader& reader, std::chrono::milliseconds limit = 30s) {
        Transaction t;
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            auto event = reader.read(500ms);
            if (!event) continue;
            auto* data = std::get_if<XLogData>(&*event);
            if (!data) continue;
            t.frames.push_back(std::move(*data));
            for (auto& m : wire::parse_all(t.frames.back().payload())) {
                if (auto* c = std::get_if<wire::Commit>(&m)) t.end_lsn = pg::Lsn(c->end_lsn);
                t.messages.push_back(std::move(m));
            }
            if (t.end_lsn.is_valid()) return t;
        }
        ADD_FAILURE() << "no COMMIT within the deadline";
        return t;
    }

    static std::unique_ptr<TestCluster> cluster_;
    std::string slot_;
    std::string table_;
};

std::unique_ptr<TestCluster> StreamTest::cluster_;

// The walsender's own wal_sender_timeout bounds how long it may be silent
// while it works through a transaction the pipeline does not stream: the
// receive timeout never undercuts it, and is off when the walsender's is.
TEST_F(StreamTest, TheReceiveTimeoutIsFittedToTheWalsendersTimeout) {
    auto fitted = [&](const std::string& sender, std::chrono::milliseconds configured) {
        auto repl =
            ReplicationConnection::connect(cluster_->conninfo() + " options='-c wal_sender_timeout=" + sender + "'");
        return fit_receive_timeout(repl.connection(), configured);
    };
    auto kept = fitted("60s", 60s);
    EXPECT_EQ(kept.value, 60s);
    EXPECT_FALSE(kept.note.has_value());
    EXPECT_EQ(fitted("10s", 60s).value, 60s);
    EXPECT_EQ(fitted("80s", 60s).value, 60s);
    auto raised = fitted("100s", 60s);
    EXPECT_EQ(raised.value, 75s);
    ASSERT_TRUE(raised.note.has_value());
    EXPECT_NE(raised.note->find("raised to 75 s, three quarters of the source's wal_sender_timeout (100 s)"),
              std::string::npos)
        << *raised.note;
    auto off = fitted("0", 60s);
    EXPECT_EQ(off.value.count(), 0);
    ASSERT_TRUE(off.note.has_value());
    EXPECT_NE(off.note->find("wal_sender_timeout is 0"), std::string::npos) << *off.note;
    EXPECT_EQ(fitted("90s", 0ms).value.count(), 0);
}

TEST_F(StreamTest, IdentifySystemNamesTheDatabase) {
    auto repl = ReplicationConnection::connect(cluster_->conninfo());
    SystemIdentity id = repl.identify_system();
    EXPECT_EQ(id.database, "postgres");
    EXPECT_TRUE(id.wal_position.is_valid());
    EXPECT_GE(id.timeline, 1u);
    EXPECT_FALSE(id.system_id.empty());
}

TEST_F(StreamTest, ExportedSnapshotSeesTheTableAsOfTheSlot) {
    cluster_->exec("INSERT INTO " + table_ + " VALUES (1, 'before')");
    auto repl = ReplicationConnection::connect(cluster_->conninfo());
    CreatedSlot slot = repl.create_slot(slot_);
    EXPECT_EQ(slot.slot_name, slot_);
    EXPECT_EQ(slot.output_plugin, "tidemark");
    EXPECT_TRUE(slot.consistent_point.is_valid());
    ASSERT_FALSE(slot.snapshot_name.empty());

    cluster_->exec("INSERT INTO " + table_ + " VALUES (2, 'after')");
    pg::Connection reader = sql();
    reader.exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
    reader.exec_params("SET TRANSACTION SNAPSHOT '" + slot.snapshot_name + "'", pg::TextParams{});
    pg::Result r = reader.exec("SELECT count(*), max(id) FROM " + table_);
    EXPECT_EQ(r.value(0, 0), "1");
    EXPECT_EQ(r.value(0, 1), "1");
    reader.exec("COMMIT");

    pg::Connection monitor = sql();
    auto info = slot_info(monitor, slot_);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->plugin, "tidemark");
    EXPECT_EQ(info->slot_type, "logical");
}

TEST_F(StreamTest, DropSlotRemovesIt) {
    auto repl = ReplicationConnection::connect(cluster_->conninfo());
    repl.create_slot(slot_, {SlotSnapshot::noexport, false});
    pg::Connection monitor = sql();
    ASSERT_TRUE(slot_info(monitor, slot_).has_value());
    repl.drop_slot(slot_);
    EXPECT_FALSE(slot_info(monitor, slot_).has_value());
    EXPECT_THROW(repl.drop_slot(slot_), pg::DatabaseError);
}

TEST_F(StreamTest, StreamsParsesAndConfirmsOnlyWhatTheCallerSays) {
    CreatedSlot slot;
    {
        auto repl = ReplicationConnection::connect(cluster_->conninfo());
        slot = repl.create_slot(slot_, {SlotSnapshot::noexport, false});
    }
    cluster_->exec("INSERT INTO " + table_ + " VALUES (7, 'seven'), (8, NULL)");

    StreamOptions options;
    options.include = {"public." + table_};
    StreamReader reader = StreamReader::start(ReplicationConnection::connect(cluster_->conninfo()), slot_,
                                              slot.consistent_point, options, StreamReaderSettings{100ms});
    Transaction t = read_transaction(reader);
    ASSERT_TRUE(t.end_lsn.is_valid());
    ASSERT_GE(t.messages.size(), 5u);  // BEGIN, RELATION, INSERT, INSERT, COMMIT
    EXPECT_TRUE(std::holds_alternative<wire::Begin>(t.messages.front()));
    const wire::Relation* rel = nullptr;
    std::vector<const wire::Insert*> inserts;
    for (const auto& m : t.messages) {
        if (auto* r = std::get_if<wire::Relation>(&m)) rel = r;
        if (auto* i = std::get_if<wire::Insert>(&m)) inserts.push_back(i);
    }
    ASSERT_NE(rel, nullptr);
    EXPECT_EQ(rel->name, table_);
    ASSERT_EQ(rel->columns.size(), 2u);
    EXPECT_TRUE(rel->columns[0].primary_key);
    ASSERT_EQ(inserts.size(), 2u);
    EXPECT_EQ(inserts[0]->new_tuple.at(1).bytes, "seven");
    EXPECT_EQ(inserts[1]->new_tuple.at(1).kind, wire::ValueKind::null);

    // Periodic status updates go out, but they repeat what the caller
    // confirmed (nothing yet): the slot must not move.
    pg::Connection monitor = sql();
    auto reply_time = [&] {
        pg::Result r = monitor.exec_params(
            "SELECT coalesce(reply_time::text, '') FROM pg_stat_replication WHERE application_name = 'tidemark'",
            pg::TextParams{});
        return r.rows() ? std::string(r.value(0, 0)) : std::string();
    };
    std::string first_reply = reply_time();
    EXPECT_TRUE(wait_until(
        [&] {
            reader.read(50ms);
            return reply_time() != first_reply;
        },
        30000, 10));
    auto before = slot_info(monitor, slot_);
    ASSERT_TRUE(before && before->confirmed_flush_lsn);
    EXPECT_LT(*before->confirmed_flush_lsn, t.end_lsn);

    reader.send_feedback(t.end_lsn, t.end_lsn, t.end_lsn);
    EXPECT_TRUE(wait_until(
        [&] {
            reader.read(50ms);
            auto info = slot_info(monitor, slot_);
            return info && info->confirmed_flush_lsn && *info->confirmed_flush_lsn >= t.end_lsn;
        },
        30000, 10));
    EXPECT_EQ(reader.confirmed_flush(), t.end_lsn);

    // A lower position later does not move the confirmation back.
    reader.send_feedback(slot.consistent_point, slot.consistent_point, slot.consistent_point);
    EXPECT_EQ(reader.confirmed_flush(), t.end_lsn);
    reader.stop();
    EXPECT_TRUE(reader.ended());
}

TEST_F(StreamTest, ALostConnectionIsAConnectionError) {
    {
        auto repl = ReplicationConnection::connect(cluster_->conninfo());
        repl.create_slot(slot_, {SlotSnapshot::noexport, false});
    }
    StreamReader reader =
        StreamReader::start(ReplicationConnection::connect(cluster_->conninfo()), slot_, pg::Lsn(), StreamOptions{});
    ASSERT_TRUE(wait_until([&] {
        return cluster_->scalar("SELECT count(*) FROM pg_stat_replication WHERE application_name = 'tidemark'") == "1";
    }));
    cluster_->exec("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '" + slot_ +
                   "'");
    bool lost = false;
    wait_until([&] {
        try {
            reader.read(100ms);
        } catch (const pg::DatabaseError& e) {
            lost = e.is_connection_error() && e.sqlstate().starts_with("08");
            if (!lost) ADD_FAILURE() << "not a connection error: " << e.what();
            return true;
        }
        return false;
    });
    EXPECT_TRUE(lost);
    ASSERT_TRUE(wait_until([&] {
        return cluster_->scalar("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot_ + "'") == "f";
    }));
}

TEST_F(StreamTest, StartWithUnknownOptionFailsWithTheDecodersMessage) {
    {
        auto repl = ReplicationConnection::connect(cluster_->conninfo());
        repl.create_slot(slot_, {SlotSnapshot::noexport, false});
    }
    StreamOptions options;
    options.extra = {{"no_such_option", "1"}};
    try {
        StreamReader reader =
            StreamReader::start(ReplicationConnection::connect(cluster_->conninfo()), slot_, pg::Lsn(), options);
        // The walsender may accept the command and fail on the first read.
        wait_until(
            [&] {
                reader.read(100ms);
                return reader.ended();
            },
            10000, 1);
        FAIL() << "an unknown decoder option was accepted";
    } catch (const pg::DatabaseError& e) {
        EXPECT_NE(std::string(e.what()).find("no_such_option"), std::string::npos) << e.what();
        EXPECT_FALSE(e.is_connection_error()) << e.what();
    }
}

TEST(StreamKeepalive, RepliesToKeepalivesThatAskForOne) {
    // With a 2s wal_sender_timeout the server asks for a reply after 1s of
    // silence and drops the client after 2s; the reader's own periodic
    // status is set far beyond that, so only the replies keep it alive.
    TestCluster cluster("h3-keepalive", {"wal_sender_timeout=2s"});
    {
        auto repl = ReplicationConnection::connect(cluster.conninfo());
        repl.create_slot("ka", {SlotSnapshot::noexport, false});
    }
    StreamReader reader = StreamReader::start(ReplicationConnection::connect(cluster.conninfo()), "ka", pg::Lsn(),
                                              StreamOptions{}, StreamReaderSettings{std::chrono::hours(1)});
    int requested = 0;
    EXPECT_TRUE(wait_until(
        [&] {
            auto event = reader.read(200ms);
            if (event)
                if (auto* k = std::get_if<Keepalive>(&*event); k && k->reply_requested) ++requested;
            return requested >= 4;
        },
        60000, 1));
    EXPECT_FALSE(reader.ended());
}

TEST(StreamPluginAllowance, RefusesWithTheLineToAdd) {
    TestCluster cluster("h3-noplugin", {"output_plugin_libraries='pgoutput, test_decoding'"});
    auto repl = ReplicationConnection::connect(cluster.conninfo());
    try {
        repl.create_slot("never");
        FAIL() << "slot created although the plugin is not allowed";
    } catch (const PluginNotAllowedError& e) {
        EXPECT_EQ(e.suggested_line(), "output_plugin_libraries = 'pgoutput, test_decoding, tidemark'");
    }
    EXPECT_EQ(cluster.scalar("SELECT count(*) FROM pg_replication_slots"), "0");

    // check-config says the same and fails.
    std::string toml =
        "[source]\nconninfo = \"" + cluster.conninfo() + "\"\n[target]\nconninfo = \"" + cluster.conninfo() + "\"\n";
    auto path = std::filesystem::path(cluster.dir()) / "check.toml";
    std::ofstream(path) << toml;
    std::ostringstream out, err;
    std::vector<std::string_view> args{"check-config", "-c", path.native()};
    int code = cli::run(args, {}, out, err);
    EXPECT_EQ(code, cli::kExitFailure);
    EXPECT_NE(out.str().find("FAILED  source: output plugin tidemark allowed: add this line to postgresql.conf and "
                             "reload the server: output_plugin_libraries = 'pgoutput, test_decoding, tidemark'"),
              std::string::npos)
        << out.str();
    EXPECT_NE(out.str().find("skipped source: tidemark decoder loads"), std::string::npos) << out.str();
}

// A REPLICATION role that is not superuser cannot read the setting; the
// server's own refusal is recognised and turned into the same advice.
TEST(StreamPluginAllowance, NonSuperuserRolesGetTheAdviceToo) {
    TestCluster refusing("h3-noplugin-role", {"output_plugin_libraries='pgoutput'"});
    TestCluster allowing("h3-plugin-role");
    for (const TestCluster* c : {&refusing, &allowing})
        c->exec("CREATE ROLE r LOGIN REPLICATION; GRANT CREATE ON DATABASE postgres TO r");

    auto repl = ReplicationConnection::connect(refusing.conninfo("postgres", "r"));
    try {
        repl.create_slot("never");
        FAIL() << "slot created although the plugin is not allowed";
    } catch (const PluginNotAllowedError& e) {
        EXPECT_EQ(e.suggested_line(), "output_plugin_libraries = 'pgoutput, test_decoding, tidemark'");
        EXPECT_NE(std::string(e.what()).find("cannot read the current value"), std::string::npos) << e.what();
    }

    auto check = [](const TestCluster& c, std::string& output) {
        std::string toml = "[source]\nconninfo = \"" + c.conninfo("postgres", "r") + "\"\n[target]\nconninfo = \"" +
                           c.conninfo("postgres", "r") + "\"\n";
        auto path = std::filesystem::path(c.dir()) / "check.toml";
        std::ofstream(path) << toml;
        std::ostringstream out, err;
        std::vector<std::string_view> args{"check-config", "-c", path.native()};
        int code = cli::run(args, {}, out, err);
        output = out.str();
        return code;
    };
    std::string out;
    EXPECT_EQ(check(refusing, out), cli::kExitFailure);
    EXPECT_NE(out.find("FAILED  source: output plugin tidemark allowed: the source server does not allow the output "
                       "plugin \"tidemark\": add this line to postgresql.conf and reload the server: "
                       "output_plugin_libraries = 'pgoutput, test_decoding, tidemark'"),
              std::string::npos)
        << out;
    EXPECT_EQ(check(allowing, out), cli::kExitDone) << out;
    EXPECT_NE(out.find("ok      source: output plugin tidemark allowed: this role cannot read"), std::string::npos)
        << out;
    EXPECT_NE(out.find("ok      source: role r can replicate: REPLICATION"), std::string::npos) << out;
}

TEST(CheckConfig, PassesOnAReadyPair) {
    TestCluster source("h3-check-src");
    TestCluster target("h3-check-dst");
    std::string toml =
        "[source]\nconninfo = \"" + source.conninfo() + "\"\n[target]\nconninfo = \"" + target.conninfo() + "\"\n";
    auto path = std::filesystem::path(source.dir()) / "check.toml";
    std::ofstream(path) << toml;
    std::ostringstream out, err;
    std::vector<std::string_view> args{"check-config", "-c", path.native()};
    int code = cli::run(args, {}, out, err);
    EXPECT_EQ(code, cli::kExitDone) << out.str() << err.str();
    EXPECT_EQ(out.str().find("FAILED"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("ok      source: tidemark decoder loads"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("ok      target: schema tidemark"), std::string::npos) << out.str();
    // The test clusters take loopback connections without TLS; a DBA
    // reviewing a real pair sees which of its connections are encrypted.
    std::size_t unencrypted = 0;
    for (auto p = out.str().find(", not encrypted\n"); p != std::string::npos;
         p = out.str().find(", not encrypted\n", p + 1))
        ++unencrypted;
    EXPECT_EQ(unencrypted, 2u) << out.str();
    // The probe's temporary slot is gone with its connection.
    EXPECT_TRUE(wait_until([&] { return source.scalar("SELECT count(*) FROM pg_replication_slots") == "0"; }));
}

}  // namespace
}  // namespace tidemark::stream
