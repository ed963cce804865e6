// The target side of the copy's schema: checks that every source table
// has a target table that can take its columns, creates what is missing
// when [target] create_tables is on, and decides per table whether binary
// COPY can be used.  After a table's data, adds its primary key, secondary
// indexes and NOT VALID checks where the target lacks them.
// Must not: touch tidemark's state tables or any row of data.
#pragma once

#include <string>
#include <vector>

#include "catalog/source_sequence.hpp"
#include "catalog/source_table.hpp"
#include "catalog/user_type.hpp"
#include "pg/connection.hpp"

namespace tidemark::catalog {

struct TargetTable {
    std::string qualified;  // "schema"."name" on the target
    // Binary COPY reads back what the source sends: every column's type is
    // the same on both sides and binary-safe (UserTypes::binary_safe).
    bool binary = true;
    bool created = false;  // created by prepare_target
};

struct TargetPreparation {
    std::vector<TargetTable> tables;  // parallel to the source tables given
    int schemas_created = 0;
    int types_created = 0;
    int sequences_created = 0;
    int tables_created = 0;
};

struct UserTypesCreated {
    std::vector<std::string> types;  // "schema"."name"
    int labels = 0;                  // enum labels added to types the target had
    std::vector<std::string> extensions;
};

// Creates on the target, in the caller's transaction, the types of `types`
// it lacks (and their schemas), the extensions that bring the others, and
// the enum labels it lacks, each where the source has it.
UserTypesCreated create_user_types(pg::Connection& target, const UserTypes& types);

// Transactions on `target`, committed every few dozen objects created.
// Throws SchemaError for a missing target table without create_tables, or
// a target table lacking a source column (or making it a generated
// column); pg::DatabaseError when creating something fails.
TargetPreparation prepare_target(pg::Connection& target, const std::vector<SourceTable>& tables, const UserTypes& types,
                                 const std::vector<SourceSequence>& sequences, bool create_tables);

// The primary key (when the target table has none), the secondary indexes
// and constraints, and the NOT VALID checks the target lacks, in the
// caller's transaction.  One that cannot be created (say, an expression
// calling a function the target lacks) is logged as a warning and skipped
// under a savepoint, so the copy is not lost for an index.  Returns how
// many were created.
int add_keys_and_indexes(pg::Connection& target, const SourceTable& table);

}  // namespace tidemark::catalog
