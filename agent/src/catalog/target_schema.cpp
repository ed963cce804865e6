// See target_schema.hpp.
#include "catalog/target_schema.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "catalog/ddl.hpp"
#include "catalog/schema_error.hpp"
#include "catalog/text_array.hpp"
#include "log/event.hpp"
#include "pg/database_error.hpp"
#include "pg/quoting.hpp"
#include "schema/column_widening.hpp"

namespace tidemark::catalog {
namespace {

constexpr std::string_view kTargetColumnsSql = R"SQL(
SELECT q.i, c.relkind, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attgenerated <> '',
       a.atttypid, a.atttypmod
  FROM pg_catalog.unnest($1::text[]) WITH ORDINALITY AS q(name, i)
  JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(q.name)
  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY q.i, a.attnum
)SQL";

struct TargetColumn {
    std::string type;
    bool generated = false;
    schema::ColumnType oid_and_typmod;
};

struct ExistingTable {
    char relkind = 'r';
    std::map<std::string, TargetColumn, std::less<>> columns;
};

std::size_t parse_index(std::string_view text) {
    std::size_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value == 0)
        throw std::runtime_error("unexpected ordinal \"" + std::string(text) + "\" from the target");
    return value - 1;
}

bool exists(pg::Connection& target, std::string_view function, const std::string& name) {
    pg::Result r = target.exec_params("SELECT pg_catalog." + std::string(function) + "($1) IS NOT NULL",
                                      pg::TextParams{name}, "while looking for " + name + " on the target");
    return r.value(0, 0) == "t";
}

std::set<std::string> existing_schemas(pg::Connection& target, const std::set<std::string>& wanted) {
    std::vector<std::string> names(wanted.begin(), wanted.end());
    pg::Result r =
        target.exec_params("SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname = ANY ($1::text[])",
                           pg::TextParams{text_array_literal(names)}, "while looking for schemas on the target");
    std::set<std::string> out;
    for (int row = 0; row < r.rows(); ++row) out.emplace(r.value(row, 0));
    return out;
}

bool extension_exists(pg::Connection& target, const std::string& name) {
    pg::Result r = target.exec_params("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = $1", pg::TextParams{name},
                                      "while looking for extension " + name + " on the target");
    return r.rows() > 0;
}

std::vector<std::string> enum_labels(pg::Connection& target, const std::string& type) {
    pg::Result r = target.exec_params(
        "SELECT enumlabel FROM pg_catalog.pg_enum WHERE enumtypid = pg_catalog.to_regtype($1) ORDER BY enumsortorder",
        pg::TextParams{type}, "while reading the labels of " + type + " on the target");
    std::vector<std::string> out;
    for (int row = 0; row < r.rows(); ++row) out.emplace_back(r.value(row, 0));
    return out;
}

void run(pg::Connection& target, const std::string& sql, const std::string& what) {
    log::debug("creating on the target", {{"sql", sql}});
    target.exec(sql, "while creating " + what + " on the target");
}

// Runs `sql` under a savepoint; a failure other than a lost connection is
// rolled back to it and logged.
bool try_run(pg::Connection& target, const std::string& sql, const std::string& table, const std::string& what) {
    target.exec("SAVEPOINT tidemark_ddl", "while adding " + what + " to " + table);
    try {
        run(target, sql, what + " of " + table);
        target.exec("RELEASE SAVEPOINT tidemark_ddl", "while adding " + what + " to " + table);
        return true;
    } catch (const pg::DatabaseError& e) {
        if (e.is_connection_error()) throw;
        target.exec("ROLLBACK TO SAVEPOINT tidemark_ddl", "while skipping " + what + " of " + table);
        log::warn("could not create on the target; the copy goes on without it",
                  {{"table", table}, {"what", what}, {"sqlstate", e.sqlstate()}, {"error", e.primary()}, {"sql", sql}});
        return false;
    }
}

// A target column narrower than the source's rounds the values that do
// not fit (numeric, times) without a word, or refuses them and fails the
// copy.
void warn_if_narrower(pg::Connection& target, const std::string& table, const SourceColumn& source,
                      const TargetColumn& column) {
    auto w = schema::widening(target, table, source.name, {source.type_oid, source.typmod}, column.oid_and_typmod);
    if (!w) return;
    log::warn(
        "a target column is narrower than the source's: values that do not fit will be rounded, or refused "
        "and stop the copy; widen it on the target (" +
            w->sql + ")",
        {{"table", table}, {"column", source.name}, {"source_type", source.type}, {"target_type", column.type}});
}

}  // namespace

UserTypesCreated create_user_types(pg::Connection& target, const UserTypes& types) {
    UserTypesCreated created;
    std::set<std::string> extensions_done;
    std::set<std::string> schemas_checked;
    auto ensure_schema = [&](const std::string& schema) {
        if (!schemas_checked.insert(schema).second || !existing_schemas(target, {schema}).empty()) return;
        run(target, ddl::create_schema(schema), "schema " + schema);
    };
    int version = target.server_version();
    for (const UserType& t : types.types()) {
        if (t.extension) {
            if (extensions_done.insert(*t.extension).second && !extension_exists(target, *t.extension)) {
                ensure_schema(*t.extension_schema);
                run(target, ddl::create_extension(*t.extension, *t.extension_schema), "extension " + *t.extension);
                log::info("created extension on the target", {{"extension", *t.extension}});
                created.extensions.push_back(*t.extension);
            }
            continue;
        }
        auto statements = ddl::create_type(t, version);
        if (statements.empty()) continue;
        if (exists(target, "to_regtype", t.qualified())) {
            if (t.kind != UserTypeKind::enumeration) continue;
            for (const auto& sql : ddl::add_enum_labels(t, enum_labels(target, t.qualified()))) {
                run(target, sql, "a label of " + t.qualified());
                ++created.labels;
            }
            continue;
        }
        ensure_schema(t.schema);
        for (const auto& sql : statements) run(target, sql, "type " + t.qualified());
        created.types.push_back(t.qualified());
    }
    return created;
}

namespace {

// Far below the max_locks_per_transaction (64) times connections that a
// server shares between all its sessions.
constexpr int kObjectsPerTransaction = 64;

}  // namespace

TargetPreparation prepare_target(pg::Connection& target, const std::vector<SourceTable>& tables, const UserTypes& types,
                                 const std::vector<SourceSequence>& sequences, bool create_tables) {
    TargetPreparation prep;
    prep.tables.resize(tables.size());
    auto begin = [&] {
        target.exec("BEGIN", "while preparing the target's tables");
        // format_type() then qualifies every name that is not in
        // pg_catalog, exactly as the source's names were read.
        target.exec("SET LOCAL search_path = ''", "while preparing the target's tables");
    };
    // Each object created holds a lock or three until COMMIT, so a schema
    // of many thousands of tables is created in several transactions.  A
    // run cut short leaves whole tables behind, which the next run finds
    // and uses as it would a table the DBA made.
    int created_in_transaction = 0;
    auto created_one = [&] {
        if (++created_in_transaction < kObjectsPerTransaction) return;
        target.exec("COMMIT", "while committing the target's tables");
        begin();
        created_in_transaction = 0;
    };
    begin();

    std::vector<std::string> names;
    for (const auto& t : tables) names.push_back(t.qualified());
    std::vector<std::optional<ExistingTable>> existing(tables.size());
    if (!tables.empty()) {
        pg::Result r = target.exec_params(kTargetColumnsSql, pg::TextParams{text_array_literal(names)},
                                          "while reading the target's tables");
        for (int row = 0; row < r.rows(); ++row) {
            std::size_t i = parse_index(r.value(row, 0));
            if (i >= tables.size()) throw std::runtime_error("the target returned a table that was not asked for");
            if (!existing[i]) existing[i].emplace().relkind = r.value(row, 1).empty() ? 'r' : r.value(row, 1)[0];
            if (auto name = r.optional_value(row, 2))
                existing[i]->columns.emplace(
                    std::string(*name),
                    TargetColumn{
                        std::string(r.value(row, 3)), r.value(row, 4) == "t",
                        schema::ColumnType{static_cast<Oid>(std::stoul(std::string(r.value(row, 5)))),
                                           static_cast<std::int32_t>(std::stol(std::string(r.value(row, 6))))}});
        }
    }

    std::vector<std::string> missing;
    for (std::size_t i = 0; i < tables.size(); ++i) {
        const SourceTable& t = tables[i];
        TargetTable& out = prep.tables[i];
        out.qualified = t.qualified();
        for (const SourceColumn* c : t.copy_columns())
            if (!types.binary_safe(c->type_oid)) out.binary = false;
        if (!existing[i]) {
            missing.push_back(out.qualified);
            continue;
        }
        if (existing[i]->relkind != 'r' && existing[i]->relkind != 'p')
            throw SchemaError("target relation " + out.qualified + " is not a table: drop or rename it so that " +
                              "the copy of source table " + out.qualified + " has somewhere to go");
        for (const SourceColumn* c : t.copy_columns()) {
            auto it = existing[i]->columns.find(c->name);
            if (it == existing[i]->columns.end())
                throw SchemaError("target table " + out.qualified + " lacks column " + pg::quote_identifier(c->name) +
                                  " (type " + c->type + "): add it on the target (ALTER TABLE " + out.qualified +
                                  " ADD COLUMN " + pg::quote_identifier(c->name) + " " + c->type +
                                  "), or drop the table and let [target] create_tables = true create it");
            if (it->second.generated)
                throw SchemaError("target table " + out.qualified + " has column " + pg::quote_identifier(c->name) +
                                  " as a generated column, but the source sends its values: make it an ordinary " +
                                  "column on the target");
            if (it->second.type != c->type) {
                warn_if_narrower(target, out.qualified, *c, it->second);
                if (out.binary)
                    log::info("column types differ between source and target; copying this table in text format",
                              {{"table", out.qualified},
                               {"column", c->name},
                               {"source_type", c->type},
                               {"target_type", it->second.type}});
                out.binary = false;
            }
        }
    }
    if (!missing.empty() && !create_tables) {
        std::string list;
        for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
        throw SchemaError("target table" + std::string(missing.size() > 1 ? "s " : " ") + list +
                          (missing.size() > 1 ? " do" : " does") +
                          " not exist: create them on the target, or set [target] create_tables = true");
    }

    if (create_tables) {
        std::set<std::string> schemas;
        for (std::size_t i = 0; i < tables.size(); ++i)
            if (!existing[i]) schemas.insert(tables[i].schema);
        if (!missing.empty())
            for (const UserType& t : types.types()) {
                schemas.insert(t.schema);
                if (t.extension_schema) schemas.insert(*t.extension_schema);
            }
        for (const auto& s : sequences) schemas.insert(s.schema);
        if (!schemas.empty()) {
            auto present = existing_schemas(target, schemas);
            for (const auto& s : schemas)
                if (!present.count(s)) {
                    run(target, ddl::create_schema(s), "schema " + s);
                    ++prep.schemas_created;
                }
        }
        if (!missing.empty()) prep.types_created += static_cast<int>(create_user_types(target, types).types.size());

        std::vector<const SourceSequence*> created_sequences;
        for (const auto& s : sequences) {
            // An identity column makes its own sequence with the table.
            if (s.identity || exists(target, "to_regclass", s.qualified())) continue;
            run(target, ddl::create_sequence(s), "sequence " + s.qualified());
            created_sequences.push_back(&s);
            ++prep.sequences_created;
            created_one();
        }
        for (std::size_t i = 0; i < tables.size(); ++i) {
            if (existing[i]) continue;
            run(target, ddl::create_table(tables[i]), "table " + tables[i].qualified());
            prep.tables[i].created = true;
            ++prep.tables_created;
            created_one();
        }
        for (const SourceSequence* s : created_sequences)
            if (s->owner_table && exists(target, "to_regclass", *s->owner_table)) {
                run(target, ddl::sequence_owned_by(*s), "the owner of sequence " + s->qualified());
                created_one();
            }
    }
    target.exec("COMMIT", "while committing the target's tables");
    return prep;
}

int add_keys_and_indexes(pg::Connection& target, const SourceTable& table) {
    std::string name = table.qualified();
    int created = 0;
    pg::Result r = target.exec_params(
        "SELECT conname, contype = 'p' FROM pg_catalog.pg_constraint WHERE conrelid = pg_catalog.to_regclass($1)",
        pg::TextParams{name}, "while reading the constraints of " + name + " on the target");
    std::set<std::string, std::less<>> constraints;
    bool has_primary_key = false;
    for (int row = 0; row < r.rows(); ++row) {
        constraints.emplace(r.value(row, 0));
        if (r.value(row, 1) == "t") has_primary_key = true;
    }
    // The stream's upserts need the key, so failing to add it is an error.
    if (!has_primary_key && !table.primary_key.empty()) {
        run(target, ddl::add_primary_key(table), "the primary key of " + name);
        ++created;
    }
    for (const auto& index : table.indexes) {
        if (index.constraint_name) {
            if (constraints.count(*index.constraint_name)) continue;
            if (try_run(target, ddl::add_constraint(table, index), name, "constraint " + *index.constraint_name))
                ++created;
        } else if (try_run(target, ddl::create_index(index), name, "index " + index.name)) {
            ++created;
        }
    }
    for (const auto& check : table.checks) {
        if (!ddl::is_not_valid(check.definition) || constraints.count(check.name)) continue;
        if (try_run(target, ddl::add_check(table, check), name, "check constraint " + check.name)) ++created;
    }
    return created;
}

}  // namespace tidemark::catalog
