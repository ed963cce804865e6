// Conflict detection and resolution end to end: every kind under every
// strategy, caused by editing the target by hand between two --once runs;
// field-level merges; the review queue's pending rows; the "error"
// strategy stopping with the slot and the origin where they were.  Each
// case ends with the target's rows checked against what the policy must
// give, and the conflict log checked for the record.
#include <string>
#include <tuple>

#include "sync_fixture.hpp"

namespace tidemark::testing {
namespace {

const char* kItems = "CREATE TABLE items (id int PRIMARY KEY, name text, qty int)";

enum class Kind { insert_exists, update_missing, update_differs, delete_missing, delete_differs };
enum class Strat { lww_source_newer, lww_target_newer, source_wins, target_wins, manual_review, error };

std::string kind_name(Kind k) {
    switch (k) {
        case Kind::insert_exists:
            return "insert_exists";
        case Kind::update_missing:
            return "update_missing";
        case Kind::update_differs:
            return "update_differs";
        case Kind::delete_missing:
            return "delete_missing";
        case Kind::delete_differs:
            return "delete_differs";
    }
    return "";
}

std::string strategy_name(Strat s) {
    switch (s) {
        case Strat::lww_source_newer:
        case Strat::lww_target_newer:
            return "last_write_wins";
        case Strat::source_wins:
            return "source_wins";
        case Strat::target_wins:
            return "target_wins";
        case Strat::manual_review:
            return "manual_review";
        case Strat::error:
            return "error";
    }
    return "";
}

std::string case_name(Kind k, Strat s) {
    std::string n = kind_name(k) + "_";
    switch (s) {
        case Strat::lww_source_newer:
            return n + "lww_source_newer";
        case Strat::lww_target_newer:
            return n + "lww_target_newer";
        default:
            return n + strategy_name(s);
    }
}

// What row 1 (or 100 for insert_exists) must hold afterwards: its name,
// or "" when it must not exist.
std::string expected_row(Kind k, Strat s) {
    const bool source_wins = s == Strat::source_wins || s == Strat::lww_source_newer;
    switch (k) {
        case Kind::insert_exists:
        case Kind::update_differs:
            return source_wins ? "source" : "target";
        case Kind::update_missing:
            // The update carries the whole row: it becomes an insert unless
            // the target's side is chosen or a person must decide.
            return s == Strat::target_wins || s == Strat::manual_review || s == Strat::error ? "" : "source";
        case Kind::delete_missing:
            return "";
        case Kind::delete_differs:
            return source_wins ? "" : "target";
    }
    return "";
}

std::string expected_status(Strat s) { return s == Strat::manual_review ? "pending" : "resolved"; }

// Many cases share one source cluster in a single run of the program:
// each gives its slot back.
class SlotReturningTest : public SyncTest {
protected:
    void TearDown() override {
        try {
            src("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot() +
                "' AND NOT active");
        } catch (const std::exception&) {
            // The slot is not this test's subject; a leftover one goes with the cluster.
        }
    }
};

class ConflictKinds : public SlotReturningTest, public ::testing::WithParamInterface<std::tuple<Kind, Strat>> {
protected:
    std::string conflicts_config(const std::string& strategy) const {
        return config("latest", "", "", "", "[conflicts]\ndefault = \"" + strategy + "\"\n");
    }
    std::string origin_progress() const {
        return tgt_value(
            "SELECT coalesce(pg_replication_origin_progress(o.roname, true)::text, '') FROM "
            "pg_replication_origin o WHERE o.roname LIKE 'tidemark_%' LIMIT 1");
    }
    std::string slot_position() const {
        return src_value("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '" + slot() + "'");
    }
};

TEST_P(ConflictKinds, ResolvesByPolicy) {
    auto [kind, strat] = GetParam();
    const std::string cfg = conflicts_config(strategy_name(strat));
    src(kItems);
    tgt(kItems);
    auto first = sync_once(cfg);
    ASSERT_EQ(first.exit_code, 0) << describe(first);
    src("INSERT INTO items VALUES (1, 'one', 1), (2, 'two', 2)");
    auto second = sync_once(cfg);
    ASSERT_EQ(second.exit_code, 0) << describe(second);
    ASSERT_EQ(tgt_value("SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM items"), "1:one,2:two");

    // The target's edit and the source's change, in the order the case
    // needs (last_write_wins compares their commit times).
    std::string target_edit, source_change;
    switch (kind) {
        case Kind::insert_exists:
            target_edit = "INSERT INTO items VALUES (100, 'target', 7)";
            source_change = "INSERT INTO items VALUES (100, 'source', 9)";
            break;
        case Kind::update_missing:
            target_edit = "DELETE FROM items WHERE id = 1";
            source_change = "UPDATE items SET name = 'source', qty = 9 WHERE id = 1";
            break;
        case Kind::update_differs:
            target_edit = "UPDATE items SET name = 'target', qty = 7 WHERE id = 1";
            source_change = "UPDATE items SET name = 'source', qty = 9 WHERE id = 1";
            break;
        case Kind::delete_missing:
            target_edit = "DELETE FROM items WHERE id = 1";
            source_change = "DELETE FROM items WHERE id = 1";
            break;
        case Kind::delete_differs:
            target_edit = "UPDATE items SET name = 'target', qty = 7 WHERE id = 1";
            source_change = "DELETE FROM items WHERE id = 1";
            break;
    }
    // Commit times compare by [conflicts] commit_time_resolution (10 ms):
    // the two writes are further apart than that, so the later one is
    // newer, not tied.
    const std::string apart = "SELECT pg_sleep(0.03)";
    if (strat == Strat::lww_target_newer) {
        src(source_change);
        tgt(apart);
        tgt(target_edit);
    } else {
        tgt(target_edit);
        tgt(apart);
        src(source_change);
    }
    // An unrelated row in the same transaction group must follow the
    // group's fate.
    src("UPDATE items SET qty = 22 WHERE id = 2");
    const std::string progress_before = origin_progress();
    const std::string slot_before = slot_position();

    auto third = sync_once(cfg);
    const int id = kind == Kind::insert_exists ? 100 : 1;
    const std::string row = tgt_value("SELECT coalesce(max(name), '') FROM items WHERE id = " + std::to_string(id));
    const std::string conflicts =
        tgt_value("SELECT count(*) FROM tidemark.conflicts WHERE kind = '" + kind_name(kind) + "'");

    if (strat == Strat::error) {
        EXPECT_EQ(third.exit_code, 1) << describe(third);
        EXPECT_NE(third.err.find(kind_name(kind)), std::string::npos) << third.err;
        EXPECT_NE(third.err.find("items"), std::string::npos) << third.err;
        // Nothing of the group was applied, the slot and the origin stayed.
        EXPECT_EQ(tgt_value("SELECT qty FROM items WHERE id = 2"), "2");
        EXPECT_EQ(origin_progress(), progress_before);
        EXPECT_EQ(slot_position(), slot_before);
        EXPECT_EQ(conflicts, "0");
        const std::string untouched =
            kind == Kind::insert_exists || kind == Kind::update_differs || kind == Kind::delete_differs ? "target" : "";
        EXPECT_EQ(row, untouched);
        return;
    }
    ASSERT_EQ(third.exit_code, 0) << describe(third);
    EXPECT_EQ(row, expected_row(kind, strat)) << describe(third);
    EXPECT_EQ(tgt_value("SELECT qty FROM items WHERE id = 2"), "22");
    EXPECT_EQ(conflicts, "1") << tgt_value("SELECT string_agg(kind || '/' || strategy, ',') FROM tidemark.conflicts");
    EXPECT_EQ(tgt_value("SELECT strategy || '/' || status FROM tidemark.conflicts"),
              strategy_name(strat) + "/" + expected_status(strat));
    EXPECT_EQ(tgt_value("SELECT record_key::text FROM tidemark.conflicts"), "{\"id\": " + std::to_string(id) + "}");
    EXPECT_EQ(tgt_value("SELECT source_origin FROM tidemark.conflicts"), slot());
    if (kind == Kind::insert_exists || kind == Kind::update_differs || kind == Kind::delete_differs) {
        EXPECT_EQ(tgt_value("SELECT target_origin FROM tidemark.conflicts"), "local");
        EXPECT_EQ(tgt_value("SELECT target_values->>'name' FROM tidemark.conflicts"), "target");
        EXPECT_EQ(tgt_value("SELECT target_commit_time IS NOT NULL FROM tidemark.conflicts"), "t");
    }
    // The report counts what was resolved.
    EXPECT_NE(third.out.find("conflicts"), std::string::npos);
    // The next run has nothing left to decide.
    auto fourth = sync_once(cfg);
    ASSERT_EQ(fourth.exit_code, 0) << describe(fourth);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.conflicts"), "1");
}

INSTANTIATE_TEST_SUITE_P(
    EveryKindAndStrategy, ConflictKinds,
    ::testing::Combine(::testing::Values(Kind::insert_exists, Kind::update_missing, Kind::update_differs,
                                         Kind::delete_missing, Kind::delete_differs),
                       ::testing::Values(Strat::lww_source_newer, Strat::lww_target_newer, Strat::source_wins,
                                         Strat::target_wins, Strat::manual_review, Strat::error)),
    [](const auto& info) { return case_name(std::get<0>(info.param), std::get<1>(info.param)); });

using Conflicts = SlotReturningTest;

const char* kCustomers = "CREATE TABLE customers (id int PRIMARY KEY, email text, status text, phone text, note text)";

std::string customer_rules() {
    return "[conflicts]\ndefault = \"target_wins\"\n"
           "[[conflicts.rules]]\ntable = \"public.customers\"\ncolumns = [\"email\"]\nstrategy = \"source_wins\"\n"
           "[[conflicts.rules]]\ntable = \"public.customers\"\ncolumns = [\"status\"]\nstrategy = "
           "\"manual_review\"\n";
}

TEST_F(Conflicts, FieldLevelRulesMergeColumnByColumn) {
    src(kCustomers);
    tgt(kCustomers);
    const std::string cfg = config("latest", "", "", "", customer_rules());
    ASSERT_EQ(sync_once(cfg).exit_code, 0);
    src("INSERT INTO customers VALUES (1, 'a@old', 'new', '111', 'n1'), (2, 'b@old', 'new', '222', 'n2')");
    ASSERT_EQ(sync_once(cfg).exit_code, 0);

    // Someone edits every column on the target; the source then changes
    // every column too.
    tgt("UPDATE customers SET email = 'a@target', status = 'vip', phone = '999', note = 't' WHERE id = 1");
    src("UPDATE customers SET email = 'a@source', status = 'closed', phone = '555', note = 's' WHERE id = 1");
    auto run = sync_once(cfg);
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    // email: source_wins; status: manual_review keeps the target's value;
    // phone and note: the default, target_wins.
    EXPECT_EQ(tgt_value("SELECT email || '|' || status || '|' || phone || '|' || note FROM customers WHERE id = 1"),
              "a@source|vip|999|t");
    EXPECT_EQ(tgt_value("SELECT email || '|' || status FROM customers WHERE id = 2"), "b@old|new");
    // One record per strategy, each naming its columns.
    EXPECT_EQ(tgt_value("SELECT string_agg(strategy || ':' || array_to_string(columns, ',') || ':' || status || ':' "
                        "|| resolution, ' ' ORDER BY strategy) FROM tidemark.conflicts"),
              "manual_review:status:pending:pending source_wins:email:resolved:source "
              "target_wins:phone,note:resolved:target");
    // The pending record holds both sides of its column for the reviewer.
    EXPECT_EQ(tgt_value("SELECT (source_values->>'status') || '/' || (target_values->>'status') FROM "
                        "tidemark.conflicts WHERE status = 'pending'"),
              "closed/vip");
    EXPECT_EQ(tgt_value("SELECT resolved_values->>'email' FROM tidemark.conflicts WHERE strategy = 'source_wins'"),
              "a@source");
}

TEST_F(Conflicts, PartialUpdateTouchesOnlyTheColumnsItCarries) {
    // A TOASTed column the update leaves alone must keep the target's value
    // even when the source wins.
    src("CREATE TABLE docs (id int PRIMARY KEY, title text, body text)");
    src("ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL");
    tgt("CREATE TABLE docs (id int PRIMARY KEY, title text, body text)");
    const std::string cfg = config("latest", "", "", "", "[conflicts]\ndefault = \"source_wins\"\n");
    ASSERT_EQ(sync_once(cfg).exit_code, 0);
    src("INSERT INTO docs VALUES (1, 'first', repeat('x', 10000))");
    ASSERT_EQ(sync_once(cfg).exit_code, 0);
    tgt("UPDATE docs SET title = 'target', body = 'target body' WHERE id = 1");
    src("UPDATE docs SET title = 'source' WHERE id = 1");
    auto run = sync_once(cfg);
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(tgt_value("SELECT title || '|' || body FROM docs WHERE id = 1"), "source|target body");
    EXPECT_EQ(tgt_value("SELECT kind || ':' || array_to_string(columns, ',') FROM tidemark.conflicts"),
              "update_differs:title");
}

TEST_F(Conflicts, RowsWrittenByThisSourceAreNotConflicts) {
    src(kItems);
    tgt(kItems);
    const std::string cfg = config("latest", "", "", "", "[conflicts]\ndefault = \"error\"\n");
    ASSERT_EQ(sync_once(cfg).exit_code, 0);
    src("INSERT INTO items SELECT g, 'n' || g, g FROM generate_series(1, 2000) g");
    ASSERT_EQ(sync_once(cfg).exit_code, 0);
    src("UPDATE items SET qty = qty + 1");
    src("DELETE FROM items WHERE id % 3 = 0");
    src("INSERT INTO items VALUES (3, 'back', 0)");
    auto run = sync_once(cfg);
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.conflicts"), "0");
    expect_converged();
    // Deletes leave tombstones; the genuine re-insert removed its own.
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.tombstones"), "665");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.tombstones WHERE record_key = '{\"id\": 3}'"), "0");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.source_watermarks WHERE source_name = '" + slot() + "'"), "1");
}

TEST_F(Conflicts, TablesWhoseKeysDifferOnlyInTypeShareABatch) {
    // Probes of two tables can be the same SQL text with other parameter
    // types: each must be prepared for its own.
    src("CREATE TABLE small_keys (id int PRIMARY KEY, v int); CREATE TABLE big_keys (id bigint PRIMARY KEY, v int)");
    tgt("CREATE TABLE small_keys (id int PRIMARY KEY, v int); CREATE TABLE big_keys (id bigint PRIMARY KEY, v int)");
    const std::string cfg = config("latest", "", "", "", "[conflicts]\n");
    ASSERT_EQ(sync_once(cfg).exit_code, 0);
    src("INSERT INTO small_keys SELECT g, g FROM generate_series(1, 100) g; "
        "INSERT INTO big_keys SELECT g, g FROM generate_series(1, 100) g");
    ASSERT_EQ(sync_once(cfg).exit_code, 0);
    src("BEGIN; UPDATE small_keys SET v = v + 1; UPDATE big_keys SET v = v + 1; DELETE FROM big_keys WHERE id < 5; "
        "COMMIT");
    src("UPDATE small_keys SET v = v + 1; UPDATE big_keys SET v = v + 1");
    auto run = sync_once(cfg);
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.dead_letters"), "0") << describe(run);
    expect_converged();
}

TEST_F(Conflicts, AReinsertAfterADeleteInAnotherRunClearsTheTombstone) {
    src(kItems);
    tgt(kItems);
    const std::string cfg = config("latest", "", "", "", "[conflicts]\ndefault = \"error\"\n");
    ASSERT_EQ(sync_once(cfg).exit_code, 0);
    src("INSERT INTO items VALUES (1, 'one', 1), (2, 'two', 2)");
    ASSERT_EQ(sync_once(cfg).exit_code, 0);
    src("DELETE FROM items WHERE id = 1");
    ASSERT_EQ(sync_once(cfg).exit_code, 0);
    EXPECT_EQ(tgt_value("SELECT record_key::text || ' ' || source_name FROM tidemark.tombstones"),
              "{\"id\": 1} " + slot());
    src("INSERT INTO items VALUES (1, 'again', 3)");
    auto run = sync_once(cfg);
    ASSERT_EQ(run.exit_code, 0) << describe(run);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.tombstones"), "0");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.conflicts"), "0");
    expect_converged();
}

TEST_F(Conflicts, WithoutTheSectionsNothingIsProbed) {
    // A hand edit is overwritten and nothing is logged: the apply path is
    // the one without detection.
    src(kItems);
    tgt(kItems);
    const std::string cfg = config("latest");
    ASSERT_EQ(sync_once(cfg).exit_code, 0);
    src("INSERT INTO items VALUES (1, 'one', 1)");
    ASSERT_EQ(sync_once(cfg).exit_code, 0);
    tgt("UPDATE items SET name = 'target' WHERE id = 1");
    src("UPDATE items SET name = 'source' WHERE id = 1");
    src("DELETE FROM items WHERE id = 1");
    ASSERT_EQ(sync_once(cfg).exit_code, 0);
    EXPECT_EQ(tgt_value("SELECT count(*) FROM items"), "0");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.conflicts"), "0");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.tombstones"), "0");
    EXPECT_EQ(tgt_value("SELECT count(*) FROM tidemark.source_watermarks"), "0");
}

TEST_F(Conflicts, RuleForATableNotStreamedIsAConfigError) {
    src(kItems);
    const std::string cfg =
        config("latest", "", "include = [\"public.items\"]\n", "",
               "[conflicts]\n[[conflicts.rules]]\ntable = \"public.orders\"\ncolumns = [\"x\"]\nstrategy = "
               "\"source_wins\"\n");
    auto run = sync_once(cfg);
    EXPECT_EQ(run.exit_code, 2) << describe(run);
    EXPECT_NE(run.err.find("public.orders"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace tidemark::testing
