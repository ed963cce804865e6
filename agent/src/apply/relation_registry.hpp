// RelationRegistry: turns each RELATION message of the stream into a
// RelationInfo for the current stream session: which target table the
// relation maps to (the copy's mapping, else the same schema and name),
// what the target's catalogs say about it, and the gate's high-water
// mark.  A table missing on the target is created (create_tables), a
// column missing on the target is added (auto_add_columns), holding in
// the rows already there what the source's older rows read in it
// (schema/added_column_values.hpp) — inside the open target transaction,
// so the DDL commits with the rows that need it — or the stream stops
// with an error saying what to do.  The user-defined types such a table
// or column needs are created first, committed on their own
// (schema/target_types.hpp).  A column the source widened is widened on
// the target the same way (schema/column_widening.hpp), or a warning says
// what its new values will suffer; a target column the source's table no
// longer has loses its NOT NULL the same way, or a warning says that
// every row will be refused.  A relation is known by its OID, and
// applied to the target table recorded for it by OID
// (state/source_relations.hpp), so renames on either side never split a
// table's rows between two target tables.  A partition the stream names
// (truncated alone) maps to its root's target table, never to one of its
// own (schema/source_partitions.hpp).
// Must not: run while a pipeline is in flight on the session.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "apply/apply_session.hpp"
#include "apply/idp_gate.hpp"
#include "apply/relation_info.hpp"
#include "apply/target_table.hpp"
#include "schema/added_column_values.hpp"
#include "schema/source_catalog.hpp"
#include "schema/source_partitions.hpp"
#include "schema/target_types.hpp"
#include "state/source_relations.hpp"
#include "wire/message.hpp"

namespace tidemark::apply {

struct RegistrySettings {
    bool create_tables = true;
    bool auto_add_columns = false;
};

class RelationRegistry {
public:
    // `catalog` and `types` stay owned by the caller.
    RelationRegistry(RegistrySettings settings, IdpGate gate, state::SourceRelations relations,
                     schema::SourceCatalog& catalog, schema::TargetTypes& types);

    // Null when the relation was never defined in this session.
    std::shared_ptr<const RelationInfo> find(std::uint32_t relid) const;
    // True when `relation` is a definition this session does not hold yet
    // (a new relation or a new schema version).
    bool is_new(const wire::Relation& relation) const;
    // Throws ApplyError when the target table or a column is missing and
    // the settings do not allow creating it, or when a new relation took
    // the name of one that still exists under another name.
    std::shared_ptr<const RelationInfo> define(ApplySession& session, const wire::Relation& relation);

private:
    // For a relation not recorded yet that goes to `target` by name: throws
    // when `target` holds another relation that still exists (renamed, its
    // name taken), warns when that one was dropped.
    void check_name_not_taken(const wire::Relation& relation, const std::string& source_table,
                              const TargetTable& target);
    // A partition truncated alone, applied to its root's target table.
    void define_partition(pg::Connection& conn, RelationInfo& info, const schema::PartitionOfRoot& partition);

    RegistrySettings settings_;
    IdpGate gate_;
    state::SourceRelations relations_state_;
    schema::SourceCatalog& catalog_;
    schema::TargetTypes& types_;
    schema::AddedColumnValues added_values_;
    std::unordered_map<std::uint32_t, std::shared_ptr<const RelationInfo>> relations_;
    // The ALTER TABLE statements a warning gave already this session.
    std::set<std::string> alter_warned_;
    std::set<std::uint32_t> renames_logged_;
    std::set<std::uint32_t> unidentified_warned_;
};

}  // namespace tidemark::apply
