// See state_schema.hpp.
#include "state/state_schema.hpp"

#include <array>
#include <stdexcept>
#include <string>
#include <string_view>

#include "log/event.hpp"
#include "state/conflict_tables.hpp"
#include "state/state_history_tables.hpp"
#include "pg/transaction.hpp"

namespace tidemark::state {
namespace {

// Any constant works as long as every agent uses the same one; this is
// "tidemark" in ASCII, so a DBA looking at pg_locks can tell whose it is.
constexpr std::string_view kLockKey = "7586737873326475";

// kMigrations[v] turns layout v into layout v + 1; layout 0 is "nothing".
constexpr std::array<std::string_view, kStateFormatVersion> kMigrations = {
    R"SQL(
CREATE SCHEMA IF NOT EXISTS tidemark;
CREATE TABLE tidemark.state_format (version int NOT NULL);
INSERT INTO tidemark.state_format (version) VALUES (0);
CREATE TABLE tidemark.pipelines (
  name text PRIMARY KEY,
  slot_name text NOT NULL,
  origin_name text NOT NULL,
  startup_mode text NOT NULL,
  phase text NOT NULL CHECK (phase IN ('copying', 'streaming', 'done')),
  consistent_point pg_lsn,
  slot_created_by_agent boolean NOT NULL,
  state_version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE tidemark.tables (
  pipeline text NOT NULL REFERENCES tidemark.pipelines (name) ON DELETE CASCADE,
  source_table text NOT NULL,
  target_table text NOT NULL,
  phase text NOT NULL CHECK (phase IN ('pending', 'copying', 'copied')),
  high_water_mark pg_lsn,
  source_rows bigint,
  rows_copied bigint NOT NULL DEFAULT 0,
  bytes_copied bigint NOT NULL DEFAULT 0,
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (pipeline, source_table));
CREATE TABLE tidemark.copy_chunks (
  pipeline text NOT NULL,
  source_table text NOT NULL,
  chunk int NOT NULL,
  lower_bound text,
  upper_bound text,
  rows bigint NOT NULL,
  bytes bigint NOT NULL,
  snapshot_lsn pg_lsn NOT NULL,
  done_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pipeline, source_table, chunk),
  FOREIGN KEY (pipeline, source_table) REFERENCES tidemark.tables ON DELETE CASCADE);
CREATE TABLE tidemark.table_stats (
  pipeline text NOT NULL,
  source_table text NOT NULL,
  inserted bigint NOT NULL DEFAULT 0,
  updated bigint NOT NULL DEFAULT 0,
  deleted bigint NOT NULL DEFAULT 0,
  truncated bigint NOT NULL DEFAULT 0,
  dead_lettered bigint NOT NULL DEFAULT 0,
  last_commit_time timestamptz,
  last_commit_lsn pg_lsn,
  PRIMARY KEY (pipeline, source_table));
CREATE TABLE tidemark.dead_letters (
  id bigserial PRIMARY KEY,
  pipeline text NOT NULL,
  source_table text,
  operation text NOT NULL,
  commit_lsn pg_lsn,
  xid bigint,
  commit_time timestamptz,
  change jsonb NOT NULL,
  sqlstate text,
  error text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX dead_letters_pipeline_idx ON tidemark.dead_letters (pipeline, id);
)SQL",
    kConflictTables,
    kStateHistoryTables,
    // Which target table (by OID) each source relation (by OID) of a
    // pipeline is applied to; renames keep both: state/source_relations.hpp.
    // recorded_in is this table's own OID when the row was written: a row
    // restored into another database (pg_dump) names OIDs of the old one.
    R"SQL(
CREATE TABLE tidemark.source_relations (
  pipeline text NOT NULL REFERENCES tidemark.pipelines (name) ON DELETE CASCADE,
  relid oid NOT NULL,
  source_table text NOT NULL,
  target_relid oid NOT NULL,
  recorded_in oid NOT NULL,
  PRIMARY KEY (pipeline, relid));
)SQL",
};

int current_version(pg::Connection& conn) {
    pg::Result exists = conn.exec("SELECT pg_catalog.to_regclass('tidemark.state_format') IS NOT NULL",
                                  "while looking for tidemark's state on the target");
    if (exists.value(0, 0) != "t") return 0;
    pg::Result r = conn.exec("SELECT max(version) FROM tidemark.state_format",
                             "while reading the version of tidemark's state on the target");
    auto v = r.optional_value(0, 0);
    if (!v) throw std::runtime_error("tidemark.state_format on the target is empty; it must hold one row");
    return std::stoi(std::string(*v));
}

}  // namespace

void ensure_state_schema(pg::Connection& conn) {
    // The quick path takes no lock: a target already at this version is
    // the common case on every restart.
    if (current_version(conn) == kStateFormatVersion) return;

    int version = 0;
    // A session lock taken before the transaction, not inside it: catalog
    // changes another agent committed while this one waited are seen only
    // by a transaction that starts after the wait (its start processes
    // them), and a stale "no such table" would make it migrate twice.
    conn.exec("SELECT pg_catalog.pg_advisory_lock(" + std::string(kLockKey) + ")",
              "while waiting for other agents preparing tidemark's state");
    struct Unlock {
        pg::Connection& conn;
        ~Unlock() {
            try {
                conn.exec("SELECT pg_catalog.pg_advisory_unlock(" + std::string(kLockKey) + ")",
                          "while releasing the lock on tidemark's state");
            } catch (...) {
                // The lock goes with the session; nothing else holds it.
            }
        }
    } unlock{conn};
    pg::in_transaction(conn, "while preparing tidemark's state on the target", [&] {
        version = current_version(conn);
        if (version > kStateFormatVersion)
            throw std::runtime_error("tidemark's state on the target has layout version " + std::to_string(version) +
                                     " but this agent knows only up to " + std::to_string(kStateFormatVersion) +
                                     "; run a newer tidemark");
        for (int v = version; v < kStateFormatVersion; ++v) {
            conn.exec(kMigrations[static_cast<std::size_t>(v)],
                      "while migrating tidemark's state from layout " + std::to_string(v));
            conn.exec("UPDATE tidemark.state_format SET version = " + std::to_string(v + 1),
                      "while recording tidemark's state layout");
        }
    });
    if (version != kStateFormatVersion)
        log::info(version == 0 ? "created tidemark's state schema on the target"
                               : "migrated tidemark's state schema on the target",
                  {{"from_version", std::to_string(version)}, {"to_version", std::to_string(kStateFormatVersion)}});
}

}  // namespace tidemark::state
