// See snapshot_table_lock.hpp.
#include "idp/snapshot_table_lock.hpp"

#include <string>

#include "idp/copy_session.hpp"
#include "pg/database_error.hpp"

namespace tidemark::idp {
namespace {

constexpr std::string_view kUndefinedTable = "42P01";

// Run in the snapshot: pg_class, pg_inherits and pg_attribute read as SQL
// are the snapshot's, while to_regclass(), pg_relation_filenode(),
// pg_partition_root() and has_column_privilege() look at the catalogs as
// they are now (the lock taken just before brought them up to date).  A
// partitioned table is checked through its leaves, which hold its rows.
constexpr std::string_view kCompareSql = R"SQL(
WITH RECURSIVE tree (relid) AS (
    SELECT $1::oid
    UNION ALL
    SELECT i.inhrelid
    FROM pg_inherits i
    JOIN tree ON i.inhparent = tree.relid
    JOIN pg_class parent ON parent.oid = i.inhparent AND parent.relkind = 'p'
),
leaves AS (
    SELECT c.oid, c.relname, c.relfilenode
    FROM tree JOIN pg_class c ON c.oid = tree.relid
    WHERE c.relkind = 'r'
)
SELECT coalesce(to_regclass($2) = $1::oid, false),
       (SELECT string_agg(relname, ', ' ORDER BY relname) FROM leaves
        WHERE pg_relation_filenode(oid) IS DISTINCT FROM relfilenode),
       (SELECT string_agg(relname, ', ' ORDER BY relname) FROM leaves
        WHERE oid <> $1::oid AND pg_partition_root(oid) IS DISTINCT FROM $1::oid::regclass),
       (SELECT string_agg(a.attname, ', ' ORDER BY a.attnum)
        FROM pg_attribute a
        WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
          AND has_column_privilege($1::oid, a.attnum, 'SELECT') IS NULL)
)SQL";

[[noreturn]] void changed(const std::string& name, const Snapshot& snapshot, const std::string& what) {
    throw pg::DatabaseError(std::string(kChangedSinceSnapshot),
                            name + " " + what + " after the copy's snapshot " + snapshot.name + " (consistent point " +
                                snapshot.consistent_point.to_string() +
                                ") was exported, so the snapshot no longer shows its rows; the copy starts again "
                                "and copies the tables it has not finished from a new snapshot",
                            "", "", "while locking " + name + " for the copy", true);
}

}  // namespace

void lock_as_the_snapshot_saw_it(pg::Connection& source, const catalog::SourceTable& table, const Snapshot& snapshot) {
    std::string name = table.qualified();
    std::string only = table.kind == catalog::TableKind::partitioned ? "" : "ONLY ";
    try {
        source.exec("LOCK TABLE " + only + name + " IN ACCESS SHARE MODE", "while locking " + name + " for the copy");
    } catch (const pg::DatabaseError& e) {
        if (e.sqlstate() != kUndefinedTable) throw;
        changed(name, snapshot, "was dropped or renamed");
    }
    pg::Result r = source.exec_params(kCompareSql, {std::to_string(table.oid), name},
                                      "while checking that " + name + " is as the copy's snapshot saw it");
    if (r.value(0, 0) != "t") changed(name, snapshot, "was dropped or renamed");
    if (!r.is_null(0, 1))
        changed(name, snapshot,
                "was rewritten or truncated (" + std::string(r.value(0, 1)) +
                    ": an ALTER TABLE that rewrites, TRUNCATE, VACUUM FULL or CLUSTER)");
    if (!r.is_null(0, 2)) changed(name, snapshot, "lost partitions (" + std::string(r.value(0, 2)) + ")");
    if (!r.is_null(0, 3)) changed(name, snapshot, "lost columns (" + std::string(r.value(0, 3)) + ")");
}

}  // namespace tidemark::idp
