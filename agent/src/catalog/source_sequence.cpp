// See source_sequence.hpp.
#include "catalog/source_sequence.hpp"

#include <charconv>
#include <stdexcept>
#include <unordered_set>

#include "pg/quoting.hpp"

namespace tidemark::catalog {
namespace {

constexpr std::string_view kSequencesSql = R"SQL(
SELECT c.oid, n.nspname, c.relname, pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
       s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
       owner.refobjid, own.nspname, oc.relname, oa.attname, owner.deptype,
       EXISTS (SELECT 1
                 FROM pg_catalog.pg_depend dd
                 JOIN pg_catalog.pg_attrdef ad ON ad.oid = dd.objid
                WHERE dd.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
                  AND dd.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                  AND dd.refobjid = c.oid AND ad.adrelid = ANY ($1::pg_catalog.oid[]))
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
  LEFT JOIN pg_catalog.pg_depend owner
         ON owner.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND owner.objid = c.oid
        AND owner.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND owner.refobjsubid > 0
        AND owner.deptype IN ('a', 'i')
  LEFT JOIN pg_catalog.pg_class oc ON oc.oid = owner.refobjid
  LEFT JOIN pg_catalog.pg_namespace own ON own.oid = oc.relnamespace
  LEFT JOIN pg_catalog.pg_attribute oa ON oa.attrelid = owner.refobjid AND oa.attnum = owner.refobjsubid
 WHERE c.relkind = 'S' AND c.relpersistence = 'p'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'tidemark')
   AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                      AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY n.nspname, c.relname
)SQL";

template <typename T>
T parse_number(std::string_view text, std::string_view what) {
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        throw std::runtime_error("unexpected " + std::string(what) + " \"" + std::string(text) +
                                 "\" in the source's sequences");
    return value;
}

// One query for many sequences, in batches so the statement stays small.
// Reading a sequence locks it until the transaction ends; each batch reads
// inside a savepoint that is then rolled back, which lets the locks go and
// keeps the values read (a sequence's value is not transactional), so a
// source of many thousands of sequences never runs out of lock slots.
void read_values(pg::Connection& source, std::vector<SourceSequence>& sequences) {
    constexpr std::size_t kBatch = 32;
    for (std::size_t first = 0; first < sequences.size(); first += kBatch) {
        source.exec("SAVEPOINT tidemark_sequences", "while reading the values of the source's sequences");
        std::size_t last = std::min(sequences.size(), first + kBatch);
        std::string sql;
        for (std::size_t i = first; i < last; ++i) {
            if (i > first) sql += " UNION ALL ";
            sql += "SELECT " + std::to_string(i) + ", last_value, is_called FROM " + sequences[i].qualified();
        }
        pg::Result r = source.exec(sql, "while reading the values of the source's sequences");
        for (int row = 0; row < r.rows(); ++row) {
            auto i = parse_number<std::size_t>(r.value(row, 0), "row number");
            if (i >= sequences.size()) throw std::runtime_error("a sequence value came back for no sequence");
            sequences[i].last_value = parse_number<std::int64_t>(r.value(row, 1), "last_value");
            sequences[i].is_called = r.value(row, 2) == "t";
        }
        source.exec("ROLLBACK TO SAVEPOINT tidemark_sequences; RELEASE SAVEPOINT tidemark_sequences",
                    "while reading the values of the source's sequences");
    }
}

}  // namespace

std::string SourceSequence::qualified() const { return pg::quote_qualified(schema, name); }

std::vector<SourceSequence> list_sequences(pg::Connection& source, const TableFilter& filter,
                                           const std::vector<SourceTable>& tables) {
    std::unordered_set<std::uint32_t> table_oids;
    std::string oids = "{";
    for (const auto& t : tables) {
        if (table_oids.size()) oids += ',';
        table_oids.insert(t.oid);
        oids += std::to_string(t.oid);
    }
    oids += "}";
    pg::Result r = source.exec_params(kSequencesSql, pg::TextParams{oids}, "while listing the source's sequences");
    std::vector<SourceSequence> sequences;
    for (int row = 0; row < r.rows(); ++row) {
        SourceSequence s;
        s.oid = parse_number<std::uint32_t>(r.value(row, 0), "oid");
        s.schema = std::string(r.value(row, 1));
        s.name = std::string(r.value(row, 2));
        auto owner_oid = r.optional_value(row, 10);
        bool owned_by_copied = owner_oid && table_oids.count(parse_number<std::uint32_t>(*owner_oid, "oid"));
        bool used_by_default = r.value(row, 15) == "t";
        bool selected = owned_by_copied || used_by_default ||
                        (!owner_oid && filter.includes_schema(s.schema) && !filter.excludes(s.schema, s.name));
        if (!selected) continue;
        s.data_type = std::string(r.value(row, 3));
        s.start = parse_number<std::int64_t>(r.value(row, 4), "seqstart");
        s.increment = parse_number<std::int64_t>(r.value(row, 5), "seqincrement");
        s.min_value = parse_number<std::int64_t>(r.value(row, 6), "seqmin");
        s.max_value = parse_number<std::int64_t>(r.value(row, 7), "seqmax");
        s.cache = parse_number<std::int64_t>(r.value(row, 8), "seqcache");
        s.cycle = r.value(row, 9) == "t";
        if (owned_by_copied) {
            s.owner_table = pg::quote_qualified(r.value(row, 11), r.value(row, 12));
            s.owner_column = std::string(r.value(row, 13));
            s.identity = r.value(row, 14) == "i";
        }
        sequences.push_back(std::move(s));
    }
    read_values(source, sequences);
    return sequences;
}

}  // namespace tidemark::catalog
