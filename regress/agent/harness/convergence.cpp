// See convergence.hpp.  Tables are compared first by count and an
// order-independent hash of every row's text (cheap even for ten million
// rows); only when those differ are rows fetched to show the difference.
#include "convergence.hpp"

#include <algorithm>
#include <set>

namespace tidemark::testing {
namespace {

// Rows are compared as text: both sides must write it in the same forms,
// whatever defaults each database has (a source may use a DMY DateStyle).
constexpr std::string_view kSameTextForms =
    "SET datestyle = 'ISO, YMD'; SET intervalstyle = 'postgres'; SET extra_float_digits = 3; SET timezone = 'UTC'; "
    "SET bytea_output = 'hex'; ";

std::string summary_sql(const std::string& table) {
    // The column list is taken from the source so both sides render rows
    // with the same columns in the same order.
    return std::string(kSameTextForms) +
           "SELECT count(*)::text || '/' || coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text FROM " +
           table + " AS t";
}

std::string column_list(const TestCluster& cluster, std::string_view db, const std::string& table) {
    return cluster.scalar(
        "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
        "WHERE attrelid = '" + table + "'::regclass AND attnum > 0 AND NOT attisdropped",
        db);
}

std::string projected(const std::string& table, const std::string& columns) {
    return "(SELECT " + columns + " FROM " + table + ")";
}

}  // namespace

std::vector<TableDifference> compare_tables(const TestCluster& source, std::string_view source_db,
                                            const TestCluster& target, std::string_view target_db,
                                            const std::vector<std::string>& tables) {
    std::vector<TableDifference> diffs;
    for (const auto& table : tables) {
        std::string columns = column_list(source, source_db, table);
        std::string rel = projected(table, columns);
        std::string s, t;
        try {
            s = source.scalar(summary_sql(rel), source_db);
            t = target.scalar(summary_sql(rel), target_db);
        } catch (const std::exception& e) {
            diffs.push_back({table, e.what()});
            continue;
        }
        if (s == t) continue;
        auto fetch = [&](const TestCluster& c, std::string_view db) {
            std::multiset<std::string> rows;
            for (auto& r : c.query(std::string(kSameTextForms) + "SELECT t::text FROM " + rel + " AS t", db))
                rows.insert(r[0].value_or("NULL"));
            return rows;
        };
        auto srows = fetch(source, source_db), trows = fetch(target, target_db);
        std::vector<std::string> only_s, only_t;
        std::set_difference(srows.begin(), srows.end(), trows.begin(), trows.end(), std::back_inserter(only_s));
        std::set_difference(trows.begin(), trows.end(), srows.begin(), srows.end(), std::back_inserter(only_t));
        std::string detail = "source " + s + " rows/hash, target " + t + "; " + std::to_string(only_s.size()) +
                             " rows only on the source, " + std::to_string(only_t.size()) + " only on the target";
        for (size_t i = 0; i < std::min<size_t>(only_s.size(), 5); ++i) detail += "\n  source only: " + only_s[i];
        for (size_t i = 0; i < std::min<size_t>(only_t.size(), 5); ++i) detail += "\n  target only: " + only_t[i];
        diffs.push_back({table, detail});
    }
    return diffs;
}

std::vector<std::string> user_tables(const TestCluster& cluster, std::string_view db) {
    std::vector<std::string> out;
    for (auto& r : cluster.query(
             "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = "
             "c.relnamespace WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN "
             "('pg_catalog', 'information_schema', 'tidemark') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1",
             db))
        out.push_back(*r[0]);
    return out;
}

}  // namespace tidemark::testing
