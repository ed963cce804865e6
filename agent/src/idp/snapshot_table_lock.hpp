// lock_as_the_snapshot_saw_it: what a copy job does before it first reads a
// table in the exported snapshot.  The snapshot fixes the rows, not the
// files: a table rewritten after the export (an ALTER TABLE that rewrites
// it, TRUNCATE) has new files whose rows the snapshot cannot see, so the
// copy would read it as empty and lose every row, and logical decoding does
// not send the rewrite either.  (VACUUM FULL and CLUSTER also make new
// files but keep the rows visible; the check cannot tell them apart, so
// such a table is copied again too.)  Once the job holds the table's lock
// nothing can rewrite it until the job's transaction ends; what happened
// before the lock is found by comparing the table the snapshot saw with
// the one there is now.
// Must not: be called outside a transaction in the snapshot (the lock
// would end with the statement).
#pragma once

#include "catalog/source_table.hpp"
#include "idp/snapshot.hpp"
#include "pg/connection.hpp"

namespace tidemark::idp {

// Takes ACCESS SHARE on `table` (and its partitions) for the rest of the
// transaction, then checks that its name still leads to it and that it,
// its partitions and its columns are the ones the snapshot saw.  When not,
// throws pg::DatabaseError with kChangedSinceSnapshot (copy_session.hpp),
// flagged as an outage: the sync starts the copy again, and the tables not
// finished yet are copied from a fresh snapshot, taken after the change.
void lock_as_the_snapshot_saw_it(pg::Connection& source, const catalog::SourceTable& table, const Snapshot& snapshot);

}  // namespace tidemark::idp
