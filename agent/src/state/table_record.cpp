// See table_record.hpp.
#include "state/table_record.hpp"

namespace tidemark::state {

std::vector<TableRecord> load_tables(pg::Connection& conn, std::string_view pipeline) {
    pg::Result r = conn.exec_params(
        "SELECT source_table, target_table, phase, high_water_mark, source_rows, rows_copied, bytes_copied "
        "FROM tidemark.tables WHERE pipeline = $1 ORDER BY source_table",
        pg::TextParams{std::string(pipeline)}, "while reading the tables of pipeline " + std::string(pipeline));
    std::vector<TableRecord> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        TableRecord t;
        t.source_table = std::string(r.value(i, 0));
        t.target_table = std::string(r.value(i, 1));
        t.phase = std::string(r.value(i, 2));
        if (auto v = r.optional_value(i, 3)) t.high_water_mark = pg::Lsn::parse(*v);
        if (auto v = r.optional_value(i, 4)) t.source_rows = std::stoll(std::string(*v));
        t.rows_copied = std::stoll(std::string(r.value(i, 5)));
        t.bytes_copied = std::stoll(std::string(r.value(i, 6)));
        out.push_back(std::move(t));
    }
    return out;
}

}  // namespace tidemark::state
