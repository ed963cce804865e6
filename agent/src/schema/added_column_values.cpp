// See added_column_values.hpp.
#include "schema/added_column_values.hpp"

#include "catalog/text_array.hpp"

namespace tidemark::schema {
namespace {

// attmissingval is a one-element array of the column's type; through
// text[] its element comes out in the type's own text form (an array
// column's value included).  A partition that was attached with its own
// rows may differ from its siblings: the value of the first leaf that has
// one is taken.
constexpr std::string_view kExistingRowsSql = R"SQL(
SELECT DISTINCT ON (a.attname)
       a.attname,
       CASE WHEN a.atthasmissing THEN (a.attmissingval::text::text[])[1] END,
       NOT a.atthasmissing AND EXISTS (SELECT 1 FROM pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum)
FROM pg_attribute a
WHERE (a.attrelid = $1::oid OR a.attrelid IN (SELECT relid FROM pg_partition_tree($1::oid) WHERE isleaf))
  AND a.attname = ANY ($2::text[])
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attname, a.atthasmissing DESC, a.attrelid
)SQL";

}  // namespace

std::unordered_map<std::string, ExistingRows> AddedColumnValues::existing_rows(
    std::uint32_t relid, const std::vector<std::string>& columns) {
    pg::Result r = catalog_.connection().exec_params(
        kExistingRowsSql, {std::to_string(relid), catalog::text_array_literal(columns)},
        "while reading what the source's existing rows hold in new columns");
    std::unordered_map<std::string, ExistingRows> out;
    for (int i = 0; i < r.rows(); ++i) {
        ExistingRows rows;
        if (!r.is_null(i, 1)) rows.value = std::string(r.value(i, 1));
        rows.values_unknown = r.value(i, 2) == "t";
        out.emplace(std::string(r.value(i, 0)), std::move(rows));
    }
    return out;
}

}  // namespace tidemark::schema
