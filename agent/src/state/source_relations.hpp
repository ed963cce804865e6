// SourceRelations: which target table each source relation of a pipeline
// is applied to, both by OID (tidemark.source_relations).  A rename keeps
// a relation's OID on either side, so a table renamed on the source (or
// on the target, or two tables that swap names) goes on being applied to
// the table that holds its rows, where names alone would fill a new,
// empty table beside it; and a new relation that takes a known name is
// told from the one that had it.  Rows restored into another database
// (a target restored from pg_dump, where every OID changed) are ignored:
// the names decide again, as for a state of an older layout.
// Must not: commit; writes run in the caller's transaction (the apply
// transaction, so a mapping is recorded with the rows written under it).
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "pg/connection.hpp"

namespace tidemark::state {

struct SourceRelation {
    std::string source_table;  // "schema"."name" when last recorded
    Oid target_relid = 0;
};

class SourceRelations {
public:
    SourceRelations() = default;
    static SourceRelations load(pg::Connection& conn, const std::string& pipeline);

    const SourceRelation* find(std::uint32_t relid) const;
    // The source relation applied to the target table `target_relid`.
    std::optional<std::uint32_t> owner_of(Oid target_relid) const;

    // `relid` is applied to `target_relid`, and no other relation is.
    void record(pg::Connection& conn, std::uint32_t relid, const std::string& source_table, Oid target_relid);

private:
    std::string pipeline_;
    std::unordered_map<std::uint32_t, SourceRelation> relations_;
};

struct CopiedRelation {
    std::uint32_t relid = 0;
    std::string source_table;
    std::string target_table;  // "schema"."name", existing
};

// For the copy, in its transaction: each copied relation is applied to its
// target table, and no other relation is.
void record_source_relations(pg::Connection& conn, const std::string& pipeline,
                             const std::vector<CopiedRelation>& relations);

}  // namespace tidemark::state
