// TableRecord: one row of tidemark.tables as the stream and the report
// read it (the Initial Data Package writes these rows).
// Must not: change the rows; the copy owns their life cycle.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace tidemark::state {

struct TableRecord {
    std::string source_table;  // "schema"."name" on the source, as the copy writes it
    std::string target_table;  // same form, on the target
    std::string phase;         // pending, copying, copied
    std::optional<pg::Lsn> high_water_mark;
    std::optional<long long> source_rows;
    long long rows_copied = 0;
    long long bytes_copied = 0;
};

std::vector<TableRecord> load_tables(pg::Connection& conn, std::string_view pipeline);

}  // namespace tidemark::state
