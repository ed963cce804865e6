// See relation_registry.hpp.
#include "apply/relation_registry.hpp"

#include <algorithm>
#include <set>

#include "apply/apply_error.hpp"
#include "apply/target_table.hpp"
#include "catalog/ddl.hpp"
#include "catalog/row_identity.hpp"
#include "catalog/target_schema.hpp"
#include "log/event.hpp"
#include "pg/database_error.hpp"
#include "pg/quoting.hpp"
#include "schema/column_type.hpp"
#include "schema/column_widening.hpp"
#include "schema/source_definition.hpp"
#include "schema/source_partitions.hpp"
#include "schema/table_ddl.hpp"

namespace tidemark::apply {
namespace {

// Array types of the built-in column types, from the target.
std::unordered_map<std::uint32_t, Oid> array_types(pg::Connection& conn, const wire::Relation& rel) {
    std::string oids = "{";
    for (const auto& c : rel.columns) {
        if (!c.type_name.empty()) continue;
        if (oids.size() > 1) oids += ',';
        oids += std::to_string(c.type_oid);
    }
    std::unordered_map<std::uint32_t, Oid> out;
    if (oids.size() == 1) return out;
    pg::Result r = conn.exec_params("SELECT oid, typarray FROM pg_catalog.pg_type WHERE oid = ANY($1::oid[])",
                                    pg::TextParams{oids + "}"}, "while reading column types on the target");
    for (int i = 0; i < r.rows(); ++i)
        out[static_cast<std::uint32_t>(std::stoul(std::string(r.value(i, 0))))] =
            static_cast<Oid>(std::stoul(std::string(r.value(i, 1))));
    return out;
}

std::vector<std::uint32_t> user_type_oids(const std::vector<wire::Column>& columns) {
    std::vector<std::uint32_t> out;
    for (const auto& c : columns)
        if (!c.type_name.empty()) out.push_back(c.type_oid);
    return out;
}

std::vector<const wire::Column*> missing_columns(const wire::Relation& rel, const TargetTable& table) {
    std::vector<const wire::Column*> out;
    for (const auto& c : rel.columns)
        if (!table.column(c.name)) out.push_back(&c);
    return out;
}

// One DDL statement in the open apply transaction, under a savepoint: a
// failure other than a lost connection is rolled back to it and returned,
// and the transaction goes on.
std::optional<pg::DatabaseError> try_ddl(ApplySession& session, const std::string& sql, const std::string& what) {
    pg::Connection& conn = session.connection();
    session.begin();
    conn.exec("SAVEPOINT tidemark_ddl", "while " + what);
    try {
        conn.exec(sql, "while " + what);
        conn.exec("RELEASE SAVEPOINT tidemark_ddl", "while " + what);
        return std::nullopt;
    } catch (const pg::DatabaseError& e) {
        if (e.is_connection_error()) throw;
        conn.exec("ROLLBACK TO SAVEPOINT tidemark_ddl", "while giving up " + what);
        return e;
    }
}

// CREATE SCHEMA IF NOT EXISTS fails with a unique violation (23505) when
// another session created the same schema at the same moment (the
// sequence follower, another pipeline, a DBA): it waited for that one to
// commit, so a second try finds the schema and goes on.
void create_schema(ApplySession& session, const std::string& schema) {
    const std::string sql = schema::create_schema_sql(schema);
    const std::string what = "creating schema " + schema + " on the target";
    auto refused = try_ddl(session, sql, what);
    if (refused && refused->sqlstate() == "23505") refused = try_ddl(session, sql, what);
    if (refused) throw *refused;
}

// A column the source widened (ALTER COLUMN ... TYPE) sends no row, only a
// new RELATION; the target's narrower column would round the new values
// (numeric, times) or refuse them.  Returns whether a column was widened.
// `warned`: the columns already warned about in this session, so that a
// target made narrower on purpose is not repeated at every RELATION.
bool widen_columns(ApplySession& session, const RelationInfo& info, const wire::Relation& rel,
                   const TargetTable& target, bool auto_widen, std::set<std::string>& warned) {
    pg::Connection& conn = session.connection();
    bool widened = false;
    for (const auto& c : rel.columns) {
        if (!c.type_name.empty()) continue;  // not built in: its name is its type
        const TargetColumn* t = target.column(c.name);
        auto w = schema::widening(conn, info.target_table, c.name, {c.type_oid, c.typmod}, {t->type_oid, t->typmod});
        if (!w) continue;
        if (!auto_widen) {
            if (!warned.insert(w->sql).second) continue;
            log::warn(
                "a source column holds values its target column cannot: new values that do not fit will be "
                "rounded or refused (tidemark.dead_letters); widen it on the target (" +
                    w->sql + ") or set [sync] auto_add_columns = true",
                {{"table", info.target_table},
                 {"column", c.name},
                 {"source_type", w->source_type},
                 {"target_type", t->type}});
            continue;
        }
        auto refused = try_ddl(session, w->sql, "widening column " + c.name + " of " + info.target_table);
        if (!refused) {
            log::info("widened a column on the target to hold the source's values (auto_add_columns)",
                      {{"table", info.target_table},
                       {"column", c.name},
                       {"source_type", w->source_type},
                       {"from", t->type},
                       {"to", w->type}});
            widened = true;
            continue;
        }
        log::warn(
            "could not widen a column on the target: new values that do not fit will be rounded or "
            "refused (tidemark.dead_letters)",
            {{"table", info.target_table},
             {"column", c.name},
             {"source_type", w->source_type},
             {"target_type", t->type},
             {"sql", w->sql},
             {"error", refused->primary()}});
    }
    return widened;
}

// A column the target requires (NOT NULL without a default) that the
// source's table does not have (dropped there, or never had): every row
// the stream writes lacks it and would be refused, updates too (they are
// upserts).  Under auto_add_columns its NOT NULL is dropped, its values
// kept; otherwise a warning gives the statement, once per session.
void relax_absent_columns(ApplySession& session, const RelationInfo& info, const wire::Relation& rel,
                          const TargetTable& target, bool auto_relax, std::set<std::string>& warned) {
    for (const auto& t : target.columns) {
        if (!t.required || std::any_of(rel.columns.begin(), rel.columns.end(),
                                       [&](const wire::Column& c) { return c.name == t.name; }))
            continue;
        const std::string sql =
            "ALTER TABLE " + info.target_table + " ALTER COLUMN " + pg::quote_identifier(t.name) + " DROP NOT NULL";
        if (!auto_relax) {
            if (warned.insert(sql).second)
                log::warn(
                    "a target column the source's table does not have is NOT NULL without a default: every "
                    "row written to it will be refused (tidemark.dead_letters); run " +
                        sql + ", or set [sync] auto_add_columns = true",
                    {{"table", info.target_table}, {"column", t.name}});
            continue;
        }
        auto refused = try_ddl(session, sql, "dropping NOT NULL of column " + t.name + " of " + info.target_table);
        if (!refused)
            log::info(
                "the source's table does not have this column: its NOT NULL was dropped on the target, its "
                "values kept (auto_add_columns)",
                {{"table", info.target_table}, {"column", t.name}});
        else if (warned.insert(sql).second)
            log::warn(
                "could not drop the NOT NULL of a target column the source's table does not have: every row "
                "written to it will be refused (tidemark.dead_letters)",
                {{"table", info.target_table}, {"column", t.name}, {"sql", sql}, {"error", refused->primary()}});
    }
}

}  // namespace

RelationRegistry::RelationRegistry(RegistrySettings settings, IdpGate gate, state::SourceRelations relations,
                                   schema::SourceCatalog& catalog, schema::TargetTypes& types)
    : settings_(settings),
      gate_(std::move(gate)),
      relations_state_(std::move(relations)),
      catalog_(catalog),
      types_(types),
      added_values_(catalog) {}

void RelationRegistry::define_partition(pg::Connection& conn, RelationInfo& info,
                                        const schema::PartitionOfRoot& partition) {
    const state::TableRecord* copied = gate_.find(partition.root_schema, partition.root_name);
    const state::SourceRelation* known = relations_state_.find(partition.root_relid);
    std::optional<TargetTable> root = known ? load_target_table(conn, known->target_relid) : std::nullopt;
    if (root)
        info.target_table = root->name;
    else
        info.target_table =
            copied ? copied->target_table : pg::quote_qualified(partition.root_schema, partition.root_name);
    if (copied) info.high_water_mark = copied->high_water_mark;
    info.partition_root = pg::quote_qualified(partition.root_schema, partition.root_name);
    info.partition_bounds = partition.bounds;
    log::debug("partition defined", {{"source_table", info.source_table}, {"target_table", info.target_table}});
}

void RelationRegistry::check_name_not_taken(const wire::Relation& rel, const std::string& source_table,
                                            const TargetTable& target) {
    std::optional<std::uint32_t> owner = relations_state_.owner_of(target.oid);
    if (!owner || *owner == rel.relid) return;
    const std::string relid = std::to_string(rel.relid);
    if (std::optional<std::string> now = catalog_.relation_name(*owner))
        throw ApplyError(
            "source table " + source_table + " is a new relation (OID " + relid + "), but the target's table " +
            target.name + " holds the rows of the source table now called " + *now +
            " (renamed on the source while this pipeline was not running, and its name "
            "taken): rename the target's table (ALTER TABLE " +
            target.name + " RENAME TO ...) so that each has its own, then run again; the slot keeps every change");
    log::warn("source table " + source_table +
                  " was dropped and created again: the target's table still holds "
                  "the rows of the dropped one that the source no longer has; copy it again to drop them (tidemark "
                  "sync --reseed " +
                  rel.ns + "." + rel.name + ")",
              {{"table", source_table}, {"relid", relid}});
}

std::shared_ptr<const RelationInfo> RelationRegistry::find(std::uint32_t relid) const {
    auto it = relations_.find(relid);
    return it == relations_.end() ? nullptr : it->second;
}

bool RelationRegistry::is_new(const wire::Relation& relation) const {
    auto it = relations_.find(relation.relid);
    return it == relations_.end() || it->second->schema_version != relation.schema_version;
}

std::shared_ptr<const RelationInfo> RelationRegistry::define(ApplySession& session, const wire::Relation& rel) {
    pg::Connection& conn = session.connection();
    auto info = std::make_shared<RelationInfo>();
    info->relid = rel.relid;
    info->schema_version = rel.schema_version;
    info->source_schema = rel.ns;
    info->source_name = rel.name;
    info->replica_identity = rel.replica_identity;
    info->source_table = pg::quote_qualified(rel.ns, rel.name);
    const state::TableRecord* copied = gate_.find(rel.ns, rel.name);
    if (copied) info->high_water_mark = copied->high_water_mark;
    const std::string by_name = copied ? copied->target_table : info->source_table;

    // The table recorded for this relation, wherever renames took it; a
    // relation not recorded yet (or whose table was dropped) goes by name.
    const state::SourceRelation* known = relations_state_.find(rel.relid);
    if (!known) {
        if (auto partition = schema::partition_of_root(catalog_, rel.relid)) {
            define_partition(conn, *info, *partition);
            relations_[rel.relid] = info;
            return info;
        }
    }
    std::optional<TargetTable> target = known ? load_target_table(conn, known->target_relid) : std::nullopt;
    if (target) {
        if (target->name != by_name && renames_logged_.insert(rel.relid).second)
            log::info(
                "a table was renamed (on the source or the target): its changes go on to the target table "
                "that holds its rows",
                {{"source_table", info->source_table}, {"target_table", target->name}, {"was", known->source_table}});
        info->target_table = target->name;
    } else {
        info->target_table = by_name;
        target = load_target_table(conn, by_name);
        if (target) check_name_not_taken(rel, info->source_table, *target);
    }
    if (!target) {
        if (!settings_.create_tables)
            throw ApplyError("table " + info->target_table + " does not exist on the target (source table " +
                             info->source_table + "); create it on the target, or set [target] create_tables = true");
        types_.provide(user_type_oids(rel.columns));
        std::optional<catalog::SourceTable> whole;
        if (info->target_table == info->source_table) whole = schema::definition_as_sent(catalog_, rel);
        session.begin();
        if (!copied) create_schema(session, rel.ns);
        int indexes = 0;
        if (whole) {
            conn.exec(catalog::ddl::create_table(*whole),
                      "while creating table " + info->target_table + " on the target");
            indexes = catalog::add_keys_and_indexes(conn, *whole);
        } else {
            conn.exec(schema::create_table_sql(info->target_table, rel, schema::column_types(conn, rel.columns)),
                      "while creating table " + info->target_table + " on the target");
        }
        log::info("created a table on the target from the source's definition",
                  {{"table", info->target_table},
                   {"columns", std::to_string(rel.columns.size())},
                   {"keys_and_indexes", std::to_string(indexes)},
                   {"from", whole ? "source catalog" : "change stream"}});
        target = load_target_table(conn, info->target_table);
        if (!target) throw ApplyError("table " + info->target_table + " is still missing after CREATE TABLE");
    }

    auto missing = missing_columns(rel, *target);
    if (!missing.empty()) {
        std::vector<wire::Column> cols;
        std::vector<std::string> names;
        for (const wire::Column* c : missing) {
            cols.push_back(*c);
            names.push_back(c->name);
        }
        auto types = schema::column_types(conn, cols);
        std::unordered_map<std::string, schema::ExistingRows> existing;
        existing = added_values_.existing_rows(rel.relid, names);
        auto existing_rows = [&](const std::string& name) {
            auto it = existing.find(name);
            return it == existing.end() ? schema::ExistingRows{} : it->second;
        };
        if (!settings_.auto_add_columns) {
            std::string add;
            for (const auto& sql :
                 schema::add_column_sql(info->target_table, cols[0].name, types[0], existing_rows(cols[0].name).value))
                add += (add.empty() ? "" : "; ") + sql;
            throw ApplyError("column " + pg::quote_identifier(cols[0].name) + " of source table " + info->source_table +
                             " does not exist in target table " + info->target_table + "; add it on the target (" +
                             add + ") or set [sync] auto_add_columns = true, then run again");
        }
        types_.provide(user_type_oids(cols));
        session.begin();
        for (std::size_t i = 0; i < cols.size(); ++i) {
            schema::ExistingRows rows = existing_rows(cols[i].name);
            for (const auto& sql : schema::add_column_sql(info->target_table, cols[i].name, types[i], rows.value))
                conn.exec(sql, "while adding column " + cols[i].name + " to " + info->target_table);
            log::info("added a column on the target (auto_add_columns)",
                      {{"table", info->target_table},
                       {"column", cols[i].name},
                       {"type", types[i]},
                       {"existing_rows", rows.value.value_or("NULL")}});
            if (rows.values_unknown)
                log::warn(
                    "the source's rows from before this column was added may hold values the stream does not "
                    "carry (a default that is not a constant makes the source rewrite the table); compare the "
                    "column, or copy the table again: tidemark sync --reseed " +
                        rel.ns + "." + rel.name,
                    {{"table", info->target_table}, {"column", cols[i].name}});
        }
        target = load_target_table(conn, info->target_table);
        if (!target || !missing_columns(rel, *target).empty())
            throw ApplyError("columns of " + info->target_table + " are still missing after ALTER TABLE");
    }

    if (widen_columns(session, *info, rel, *target, settings_.auto_add_columns, alter_warned_)) {
        target = load_target_table(conn, info->target_table);
        if (!target) throw ApplyError("table " + info->target_table + " is missing after ALTER TABLE");
    }
    relax_absent_columns(session, *info, rel, *target, settings_.auto_add_columns, alter_warned_);
    if (!known || known->target_relid != target->oid || known->source_table != info->source_table) {
        session.begin();
        relations_state_.record(conn, rel.relid, info->source_table, target->oid);
    }

    auto arrays = array_types(conn, rel);
    for (const auto& c : rel.columns) {
        const TargetColumn* t = target->column(c.name);
        if (t->generated)
            throw ApplyError("column " + pg::quote_identifier(c.name) + " of " + info->target_table +
                             " is generated on the target but a plain column on the source; the source's values "
                             "cannot be written to it");
        ColumnInfo ci;
        ci.name = c.name;
        ci.quoted = pg::quote_identifier(c.name);
        ci.source_type = c.type_oid;
        if (c.type_name.empty()) {
            auto it = arrays.find(c.type_oid);
            ci.array_type = it == arrays.end() ? 0 : it->second;
        }
        ci.target_type = t->type;
        ci.text_cast = t->base_type;
        ci.identity = c.identity;
        info->columns.push_back(std::move(ci));
    }

    // The key: the first of the target's unique keys whose columns the
    // source's old tuples carry (its identity, or everything under FULL).
    auto index_of = [&](const std::string& name) -> std::optional<std::size_t> {
        for (std::size_t i = 0; i < info->columns.size(); ++i)
            if (info->columns[i].name == name) return i;
        return std::nullopt;
    };
    for (const auto& key : target->unique_keys) {
        std::vector<std::size_t> cols;
        bool usable = !key.empty();
        for (const auto& name : key) {
            auto i = index_of(name);
            if (!i || (!info->full_identity() && !info->columns[*i].identity)) {
                usable = false;
                break;
            }
            cols.push_back(*i);
        }
        if (usable) {
            info->key = std::move(cols);
            break;
        }
    }
    info->merge_rows = info->keyed() && conn.server_version() >= 150000 && !target->has_rules &&
                       std::all_of(info->key.begin(), info->key.end(), [&](std::size_t k) {
                           return info->columns[k].source_type == target->column(info->columns[k].name)->type_oid;
                       });
    for (std::size_t i = 0; i < info->columns.size(); ++i)
        if (info->full_identity() || info->columns[i].identity) info->locate.push_back(i);

    if (info->locate.empty() && unidentified_warned_.insert(rel.relid).second) {
        bool has_primary_key =
            std::any_of(rel.columns.begin(), rel.columns.end(), [](const wire::Column& c) { return c.primary_key; });
        log::warn(
            "the source logs this table's UPDATEs and DELETEs without the row's identity: the target cannot "
            "apply them, and each becomes a dead letter; on the source: " +
                catalog::replica_identity_fix(info->source_table, has_primary_key),
            {{"source_table", info->source_table}});
    }
    log::debug("relation defined", {{"source_table", info->source_table},
                                    {"target_table", info->target_table},
                                    {"schema_version", std::to_string(rel.schema_version)},
                                    {"keyed", info->keyed() ? "yes" : "no"}});
    std::shared_ptr<const RelationInfo> result = info;
    relations_[rel.relid] = result;
    return result;
}

}  // namespace tidemark::apply
