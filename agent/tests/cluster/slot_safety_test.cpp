// Slot safety for DBAs against real clusters, through the built agent
// binary: `tidemark slot list` and `slot drop` (confirmation, a slot in
// use, the drop itself), the retained-WAL warning while streaming, and
// heartbeats that move an idle slot's confirmed position.
#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "agent_process.hpp"
#include "cli/exit_codes.hpp"
#include "pg/lsn.hpp"
#include "test_cluster.hpp"

namespace tidemark::slot {
namespace {

using testing::AgentProcess;
using testing::run_agent;
using testing::TempFile;
using testing::TestCluster;
using testing::wait_until;

class SlotSafetyTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        source_ = std::make_unique<TestCluster>("h8-slot-source");
        target_ = std::make_unique<TestCluster>("h8-slot-target");
    }
    static void TearDownTestSuite() {
        source_.reset();
        target_.reset();
    }

    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        db_ = "d_" + std::string(info->name());
        for (auto& c : db_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        slot_ = "s" + db_;
        source_->create_database(db_);
        target_->create_database(db_);
    }

    void TearDown() override {
        source_->exec("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '" + db_ +
                      "' AND NOT active");
    }

    std::string config(const std::string& slot_section = "") const {
        return "[source]\nconninfo = \"" + source_->conninfo(db_) + "\"\nslot = \"" + slot_ + "\"\n" +
               "[target]\nconninfo = \"" + target_->conninfo(db_) + "\"\n" + "[sync]\nstartup_mode = \"latest\"\n" +
               "[slot]\n" + slot_section;
    }

    std::string src(const std::string& sql) const { return source_->scalar(sql, db_); }
    void create_slot() const {
        source_->exec("SELECT pg_create_logical_replication_slot('" + slot_ + "', 'tidemark')", db_);
    }
    bool slot_exists() const {
        return src("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot_ + "'") == "1";
    }

    static std::string describe(const testing::AgentRun& run) {
        return "exit " + std::to_string(run.exit_code) + "\nstdout:\n" + run.out + "\nstderr:\n" + run.err;
    }

    static std::unique_ptr<TestCluster> source_;
    static std::unique_ptr<TestCluster> target_;
    std::string db_;
    std::string slot_;
};

std::unique_ptr<TestCluster> SlotSafetyTest::source_;
std::unique_ptr<TestCluster> SlotSafetyTest::target_;

TEST_F(SlotSafetyTest, ListShowsTheSlotWithItsNumbers) {
    create_slot();
    // Some WAL after the slot's creation, so it retains and lags.
    source_->exec(
        "CREATE TABLE t (id int PRIMARY KEY, note text); "
        "INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 2000) g",
        db_);
    TempFile file(config());
    auto run = run_agent({"slot", "list", "-c", file.path(), "--json"});
    ASSERT_EQ(run.exit_code, cli::kExitDone) << describe(run);

    std::string restart = src("SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = '" + slot_ + "'");
    std::smatch m;
    std::regex entry("\\{\"slot_name\": \"" + slot_ +
                     "\", \"plugin\": \"tidemark\", \"active_pid\": null, \"restart_lsn\": \"([0-9A-F/]+)\", "
                     "\"confirmed_flush_lsn\": \"[0-9A-F/]+\", \"retained_wal_bytes\": ([0-9]+), "
                     "\"retained_wal\": \"[^\"]+\", \"lag_bytes\": ([0-9]+), \"lag\": \"[^\"]+\", "
                     "\"wal_status\": \"reserved\", \"safe_wal_size\": (null|[0-9]+)\\}");
    ASSERT_TRUE(std::regex_search(run.out, m, entry)) << run.out;
    EXPECT_EQ(m[1].str(), restart);
    // 2000 rows of 200 bytes went into the WAL after the slot's start.
    EXPECT_GT(std::stoll(m[2].str()), 400'000);
    EXPECT_GT(std::stoll(m[3].str()), 400'000);

    auto table = run_agent({"slot", "list", "-c", file.path()});
    ASSERT_EQ(table.exit_code, cli::kExitDone) << describe(table);
    EXPECT_NE(table.out.find("retained_wal_bytes"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find(slot_ + "  tidemark"), std::string::npos) << table.out;
}

TEST_F(SlotSafetyTest, DropNeedsYesRefusesAnActiveSlotAndDropsWithYes) {
    create_slot();
    TempFile file(config());

    auto refused = run_agent({"slot", "drop", "-c", file.path()});
    EXPECT_EQ(refused.exit_code, cli::kExitBadConfig) << describe(refused);
    EXPECT_NE(refused.err.find("add --yes"), std::string::npos) << refused.err;
    EXPECT_TRUE(slot_exists());

    {
        AgentProcess consumer({"-d", source_->conninfo(db_), "-S", slot_, "--start", "-f", "/dev/null"},
                              "/usr/lib/postgresql/15/bin/pg_recvlogical");
        ASSERT_TRUE(wait_until(
            [&] { return src("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot_ + "'") == "t"; },
            15000))
            << consumer.err();
        std::string pid = src("SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + slot_ + "'");
        auto busy = run_agent({"slot", "drop", "-c", file.path(), "--yes"});
        EXPECT_EQ(busy.exit_code, cli::kExitFailure) << describe(busy);
        EXPECT_NE(busy.err.find("in use by process " + pid), std::string::npos) << busy.err;
        EXPECT_TRUE(slot_exists());
        consumer.signal(SIGTERM);
        consumer.wait(std::chrono::seconds(10));
    }
    ASSERT_TRUE(wait_until(
        [&] { return src("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot_ + "'") == "f"; },
        15000));

    // By name, as a DBA cleaning up would; the config names the same slot.
    auto dropped = run_agent({"slot", "drop", "-c", file.path(), "--yes", slot_});
    EXPECT_EQ(dropped.exit_code, cli::kExitDone) << describe(dropped);
    EXPECT_NE(dropped.out.find("dropped replication slot " + slot_), std::string::npos) << dropped.out;
    EXPECT_FALSE(slot_exists());
}

TEST_F(SlotSafetyTest, WarnsWhenTheSlotRetainsMoreThanWarnRetained) {
    source_->exec("CREATE TABLE t (id int PRIMARY KEY, note text)", db_);
    TempFile file(config("warn_retained = \"1kB\"\nheartbeat = \"off\"\n"));
    AgentProcess agent({"sync", "-c", file.path()});
    ASSERT_TRUE(wait_until([&] { return agent.err().find("streaming changes") != std::string::npos; }, 20000))
        << agent.err();
    source_->exec("INSERT INTO t SELECT g, repeat('y', 100) FROM generate_series(1, 500) g", db_);
    // The watch reads the slot every 10 seconds.
    bool warned = wait_until(
        [&] {
            return agent.err().find("of WAL on the source, more than warn_retained = 1024 bytes") != std::string::npos;
        },
        20000);
    agent.signal(SIGTERM);
    agent.wait(std::chrono::seconds(20));
    EXPECT_TRUE(warned) << agent.err();
    EXPECT_NE(agent.err().find("slot " + slot_ + " retains"), std::string::npos) << agent.err();
}

TEST_F(SlotSafetyTest, HeartbeatsAdvanceAnIdleSlot) {
    TempFile file(config("heartbeat = \"1s\"\n"));
    AgentProcess agent({"sync", "-c", file.path()});
    ASSERT_TRUE(wait_until([&] { return agent.err().find("streaming changes") != std::string::npos; }, 20000))
        << agent.err();
    // A second slot sees what is written on the source from now on.
    source_->exec("SELECT pg_create_logical_replication_slot('" + slot_ + "_probe', 'test_decoding')", db_);
    std::string heartbeat_lsn;
    bool seen = wait_until(
        [&] {
            heartbeat_lsn = src("SELECT min(lsn) FROM pg_logical_slot_peek_changes('" + slot_ +
                                "_probe', NULL, NULL) WHERE data LIKE '%prefix: tidemark%content:heartbeat%'");
            return !heartbeat_lsn.empty();
        },
        10000, 200);
    bool advanced = seen && wait_until(
                                [&] {
                                    std::string confirmed =
                                        src("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" +
                                            slot_ + "'");
                                    return pg::Lsn::parse(confirmed) > pg::Lsn::parse(heartbeat_lsn);
                                },
                                10000, 200);
    agent.signal(SIGTERM);
    agent.wait(std::chrono::seconds(20));
    EXPECT_TRUE(seen) << "no heartbeat message on an idle source\n" << agent.err();
    EXPECT_TRUE(advanced) << "the slot's confirmed position did not pass the heartbeat at " << heartbeat_lsn << "\n"
                          << agent.err();
}

}  // namespace
}  // namespace tidemark::slot
