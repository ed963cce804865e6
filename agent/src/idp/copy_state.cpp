// See copy_state.hpp.
#include "idp/copy_state.hpp"

#include <charconv>
#include <map>
#include <numeric>
#include <stdexcept>

#include "catalog/text_array.hpp"
#include "idp/initial_copy.hpp"
#include "state/source_relations.hpp"

namespace tidemark::idp {
namespace {

std::int64_t parse_count(std::string_view text) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        throw std::runtime_error("unexpected counter \"" + std::string(text) + "\" in tidemark.tables");
    return value;
}

// Each truncated table holds a lock on itself, its indexes and its TOAST
// table until COMMIT.
constexpr std::size_t kTablesPerTruncate = 32;

}  // namespace

void reset_tables(pg::Connection& target, const std::string& pipeline, const std::vector<TableNames>& tables,
                  pg::Lsn high_water_mark, const std::vector<std::string>& forget) {
    std::vector<std::string> sources;
    std::vector<std::string> targets;
    for (const auto& t : tables) {
        sources.push_back(t.source_table);
        targets.push_back(t.target_table);
    }
    if (!forget.empty())
        target.exec_params("DELETE FROM tidemark.tables WHERE pipeline = $1 AND source_table = ANY ($2::text[])",
                           pg::TextParams{pipeline, catalog::text_array_literal(forget)},
                           "while forgetting tables that left the source");
    if (tables.empty()) return;
    target.exec_params(R"SQL(
INSERT INTO tidemark.tables AS t (pipeline, source_table, target_table, phase, high_water_mark)
SELECT $1, s.source_table, s.target_table, 'pending', $4::pg_lsn
  FROM unnest($2::text[], $3::text[]) AS s(source_table, target_table)
    ON CONFLICT (pipeline, source_table) DO UPDATE
   SET target_table = EXCLUDED.target_table, phase = 'pending', high_water_mark = EXCLUDED.high_water_mark,
       source_rows = NULL, rows_copied = 0, bytes_copied = 0, started_at = NULL, finished_at = NULL
)SQL",
                       pg::TextParams{pipeline, catalog::text_array_literal(sources),
                                      catalog::text_array_literal(targets), high_water_mark.to_string()},
                       "while recording the tables to copy in tidemark.tables");
    target.exec_params("DELETE FROM tidemark.copy_chunks WHERE pipeline = $1 AND source_table = ANY ($2::text[])",
                       pg::TextParams{pipeline, catalog::text_array_literal(sources)},
                       "while forgetting the chunks of the tables to copy");
    std::vector<state::CopiedRelation> relations;
    for (const auto& t : tables) relations.push_back({t.source_relid, t.source_table, t.target_table});
    state::record_source_relations(target, pipeline, relations);
}

std::vector<std::string> truncate_statements(pg::Connection& target, const std::vector<std::string>& target_tables) {
    // Union-find over the foreign keys between the tables.
    std::vector<std::size_t> group(target_tables.size());
    std::iota(group.begin(), group.end(), std::size_t{0});
    auto root = [&](std::size_t i) {
        while (group[i] != i) i = group[i] = group[group[i]];
        return i;
    };
    if (!target_tables.empty()) {
        pg::Result r = target.exec_params(R"SQL(
WITH t AS (SELECT n.ord - 1 AS i, pg_catalog.to_regclass(n.name) AS oid
             FROM pg_catalog.unnest($1::text[]) WITH ORDINALITY AS n(name, ord))
SELECT a.i, b.i
  FROM pg_catalog.pg_constraint c
  JOIN t a ON a.oid = c.conrelid
  JOIN t b ON b.oid = c.confrelid
 WHERE c.contype = 'f' AND a.i <> b.i
)SQL",
                                          pg::TextParams{catalog::text_array_literal(target_tables)},
                                          "while reading the foreign keys between the target tables");
        for (int row = 0; row < r.rows(); ++row) {
            auto a = static_cast<std::size_t>(parse_count(r.value(row, 0)));
            auto b = static_cast<std::size_t>(parse_count(r.value(row, 1)));
            if (a >= group.size() || b >= group.size())
                throw std::runtime_error("the target returned a table that was not asked for");
            group[root(a)] = root(b);
        }
    }
    std::map<std::size_t, std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < target_tables.size(); ++i) groups[root(i)].push_back(i);

    std::vector<std::string> statements;
    std::size_t in_statement = 0;
    for (const auto& [_, members] : groups) {
        if (statements.empty() || in_statement + members.size() > kTablesPerTruncate) {
            statements.emplace_back("TRUNCATE ");
            in_statement = 0;
        }
        for (std::size_t i : members) statements.back() += (in_statement++ ? ", " : "") + target_tables[i];
    }
    return statements;
}

void mark_copying(pg::Connection& target, const std::string& pipeline, const std::string& source_table) {
    target.exec_params(
        "UPDATE tidemark.tables SET phase = 'copying', started_at = now() "
        "WHERE pipeline = $1 AND source_table = $2 AND phase = 'pending'",
        pg::TextParams{pipeline, source_table}, "while marking " + source_table + " as copying");
}

void record_source_rows(pg::Connection& target, const std::string& pipeline, const std::string& source_table,
                        std::int64_t rows) {
    target.exec_params("UPDATE tidemark.tables SET source_rows = $3 WHERE pipeline = $1 AND source_table = $2",
                       pg::TextParams{pipeline, source_table, std::to_string(rows)},
                       "while recording the row count of " + source_table);
}

bool chunk_committed(pg::Connection& target, const std::string& pipeline, const std::string& source_table, int chunk) {
    pg::Result r = target.exec_params(
        "SELECT 1 FROM tidemark.copy_chunks WHERE pipeline = $1 AND source_table = $2 AND chunk = $3",
        pg::TextParams{pipeline, source_table, std::to_string(chunk)},
        "while checking chunk " + std::to_string(chunk) + " of " + source_table);
    return r.rows() > 0;
}

void record_chunk(pg::Connection& target, const std::string& pipeline, const std::string& source_table,
                  const ChunkRecord& chunk) {
    std::string what = "while recording chunk " + std::to_string(chunk.chunk) + " of " + source_table;
    target.exec_params(
        "INSERT INTO tidemark.copy_chunks (pipeline, source_table, chunk, lower_bound, upper_bound, rows, bytes, "
        "snapshot_lsn) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        pg::TextParams{pipeline, source_table, std::to_string(chunk.chunk), chunk.lower_bound, chunk.upper_bound,
                       std::to_string(chunk.rows), std::to_string(chunk.bytes), chunk.snapshot_lsn.to_string()},
        what);
    // Last in the transaction: the row lock that serializes a table's
    // chunks is held only until the COMMIT that follows.
    target.exec_params(
        "UPDATE tidemark.tables SET rows_copied = rows_copied + $3, bytes_copied = bytes_copied + $4, "
        "phase = 'copying', started_at = coalesce(started_at, now()) WHERE pipeline = $1 AND source_table = $2",
        pg::TextParams{pipeline, source_table, std::to_string(chunk.rows), std::to_string(chunk.bytes)}, what);
}

TableCounts lock_table_counts(pg::Connection& target, const std::string& pipeline, const std::string& source_table) {
    pg::Result r = target.exec_params(
        "SELECT t.rows_copied, t.bytes_copied, t.source_rows, "
        "(SELECT count(*) FROM tidemark.copy_chunks c WHERE c.pipeline = t.pipeline "
        "AND c.source_table = t.source_table) "
        "FROM tidemark.tables t WHERE t.pipeline = $1 AND t.source_table = $2 FOR UPDATE",
        pg::TextParams{pipeline, source_table}, "while reading the copy counters of " + source_table);
    if (r.rows() != 1)
        throw std::runtime_error("table " + source_table + " of pipeline " + pipeline +
                                 " vanished from tidemark.tables during the copy");
    TableCounts counts;
    counts.rows_copied = parse_count(r.value(0, 0));
    counts.bytes_copied = parse_count(r.value(0, 1));
    if (auto s = r.optional_value(0, 2)) counts.source_rows = parse_count(*s);
    counts.chunks = static_cast<int>(parse_count(r.value(0, 3)));
    return counts;
}

void mark_copied(pg::Connection& target, const std::string& pipeline, const std::string& source_table) {
    target.exec_params(
        "UPDATE tidemark.tables SET phase = 'copied', finished_at = now() WHERE pipeline = $1 AND source_table = $2",
        pg::TextParams{pipeline, source_table}, "while marking " + source_table + " as copied");
}

// Declared in initial_copy.hpp, for sync/.
std::vector<std::string> unfinished_tables(pg::Connection& target, const std::string& pipeline) {
    pg::Result r = target.exec_params(
        "SELECT source_table FROM tidemark.tables WHERE pipeline = $1 AND phase <> 'copied' ORDER BY source_table",
        pg::TextParams{pipeline}, "while listing the tables whose copy did not finish");
    std::vector<std::string> out;
    for (int row = 0; row < r.rows(); ++row) out.emplace_back(r.value(row, 0));
    return out;
}

}  // namespace tidemark::idp
