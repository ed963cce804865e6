// print_text_table: rows of text in aligned columns, two spaces apart, as
// the commands for people print their lists (slots, versions, conflicts).
// Must not: truncate or quote a cell (the caller formats each one).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace tidemark::cli {

// The first row is the header; every row has the header's width.
void print_text_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

}  // namespace tidemark::cli
