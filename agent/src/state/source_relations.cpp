// See source_relations.hpp.
#include "state/source_relations.hpp"

#include "catalog/text_array.hpp"

namespace tidemark::state {
namespace {

// Two statements: one may not delete a row the other updates.
constexpr std::string_view kForgetSharersSql = R"SQL(
DELETE FROM tidemark.source_relations r
 USING unnest($2::pg_catalog.oid[], $3::pg_catalog.oid[]) AS t(relid, target_relid)
 WHERE r.pipeline = $1 AND r.target_relid = t.target_relid AND r.relid <> t.relid
)SQL";

constexpr std::string_view kRecordSql = R"SQL(
INSERT INTO tidemark.source_relations (pipeline, relid, source_table, target_relid, recorded_in)
SELECT $1, t.relid, t.source_table, t.target_relid, 'tidemark.source_relations'::pg_catalog.regclass
  FROM unnest($2::pg_catalog.oid[], $3::text[], $4::pg_catalog.oid[]) AS t(relid, source_table, target_relid)
    ON CONFLICT (pipeline, relid) DO UPDATE
   SET source_table = EXCLUDED.source_table, target_relid = EXCLUDED.target_relid, recorded_in = EXCLUDED.recorded_in
)SQL";

constexpr std::string_view kTargetOidsSql = R"SQL(
SELECT pg_catalog.to_regclass(u.name)::pg_catalog.oid
  FROM pg_catalog.unnest($1::text[]) WITH ORDINALITY AS u(name, i)
 ORDER BY u.i
)SQL";

std::string oid_array(const std::vector<std::uint32_t>& oids) {
    std::string out = "{";
    for (std::size_t i = 0; i < oids.size(); ++i) out += (i ? "," : "") + std::to_string(oids[i]);
    return out + "}";
}

void write(pg::Connection& conn, const std::string& pipeline, const std::vector<std::uint32_t>& relids,
           const std::vector<std::string>& source_tables, const std::vector<std::uint32_t>& target_relids) {
    pg::TextParams params{pipeline, oid_array(relids), catalog::text_array_literal(source_tables),
                          oid_array(target_relids)};
    std::string what = "while recording the source relations of pipeline " + pipeline;
    conn.exec_params(kForgetSharersSql, {params[0], params[1], params[3]}, what);
    conn.exec_params(kRecordSql, params, what);
}

}  // namespace

SourceRelations SourceRelations::load(pg::Connection& conn, const std::string& pipeline) {
    SourceRelations out;
    out.pipeline_ = pipeline;
    pg::Result r = conn.exec_params(
        "SELECT relid, source_table, target_relid FROM tidemark.source_relations "
        "WHERE pipeline = $1 AND recorded_in = tableoid",
        pg::TextParams{pipeline}, "while reading the source relations of pipeline " + pipeline);
    for (int i = 0; i < r.rows(); ++i)
        out.relations_[static_cast<std::uint32_t>(std::stoul(std::string(r.value(i, 0))))] =
            SourceRelation{std::string(r.value(i, 1)), static_cast<Oid>(std::stoul(std::string(r.value(i, 2))))};
    return out;
}

const SourceRelation* SourceRelations::find(std::uint32_t relid) const {
    auto it = relations_.find(relid);
    return it == relations_.end() ? nullptr : &it->second;
}

std::optional<std::uint32_t> SourceRelations::owner_of(Oid target_relid) const {
    for (const auto& [relid, relation] : relations_)
        if (relation.target_relid == target_relid) return relid;
    return std::nullopt;
}

void SourceRelations::record(pg::Connection& conn, std::uint32_t relid, const std::string& source_table,
                             Oid target_relid) {
    write(conn, pipeline_, {relid}, {source_table}, {target_relid});
    std::erase_if(relations_, [&](const auto& entry) { return entry.second.target_relid == target_relid; });
    relations_[relid] = SourceRelation{source_table, target_relid};
}

void record_source_relations(pg::Connection& conn, const std::string& pipeline,
                             const std::vector<CopiedRelation>& relations) {
    if (relations.empty()) return;
    std::vector<std::string> targets;
    for (const auto& r : relations) targets.push_back(r.target_table);
    pg::Result oids = conn.exec_params(kTargetOidsSql, pg::TextParams{catalog::text_array_literal(targets)},
                                       "while looking up the copy's target tables");
    std::vector<std::uint32_t> relids, target_relids;
    std::vector<std::string> source_tables;
    for (std::size_t i = 0; i < relations.size(); ++i) {
        if (oids.is_null(static_cast<int>(i), 0)) continue;  // not created yet: recorded when first streamed
        relids.push_back(relations[i].relid);
        source_tables.push_back(relations[i].source_table);
        target_relids.push_back(
            static_cast<std::uint32_t>(std::stoul(std::string(oids.value(static_cast<int>(i), 0)))));
    }
    if (!relids.empty()) write(conn, pipeline, relids, source_tables, target_relids);
}

}  // namespace tidemark::state
