// How far the agent lets the source's slot move on: up to what the target
// holds, and past the WAL the pipeline does not stream (excluded tables,
// other databases).  A slot held at the last streamed commit keeps all the
// WAL written after it, and a walsender that shuts down waits for it.
#include "sync_fixture.hpp"

namespace tidemark::testing {
namespace {

class SlotProgress : public SyncTest {
protected:
    // Whether the slot has confirmed `lsn`, for waits.
    bool confirmed(const std::string& lsn) const {
        return src_value("SELECT confirmed_flush_lsn >= '" + lsn +
                         "'::pg_lsn FROM pg_replication_slots WHERE slot_name = '" + slot() + "'") == "t";
    }
};

TEST_F(SlotProgress, ConfirmsPastWhatThePipelineDoesNotStream) {
    src("CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE skipped (id int PRIMARY KEY)");
    TempFile cfg(config("initial", "", "exclude = [\"public.skipped\"]"));
    AgentProcess agent = start_sync(cfg);
    ASSERT_TRUE(wait_streaming()) << agent.err();

    // Nothing streamed: the walsender's keepalive finds the applier idle.
    src("INSERT INTO skipped VALUES (1)");
    const std::string after_skipped = src_value("SELECT pg_current_wal_lsn()");
    EXPECT_TRUE(wait_until([&] { return confirmed(after_skipped); }, 10000)) << agent.err();

    // A streamed transaction, then one that is not: the keepalive after the
    // second arrives while the first is still on its way to the target.
    // Its position counts once the first is flushed there, not at the next
    // keepalive (half of wal_sender_timeout later, if the source stays
    // quiet).
    src("INSERT INTO t VALUES (1)");
    src("INSERT INTO skipped VALUES (2)");
    const std::string after_both = src_value("SELECT pg_current_wal_lsn()");
    EXPECT_TRUE(wait_until([&] { return confirmed(after_both); }, 10000)) << agent.err();
    EXPECT_EQ(tgt_value("SELECT count(*) FROM t"), "1");

    expect_clean_stop(agent);
}

}  // namespace
}  // namespace tidemark::testing
