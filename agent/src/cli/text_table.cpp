// See text_table.hpp.
#include "cli/text_table.hpp"

#include <algorithm>

namespace tidemark::cli {

void print_text_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
    if (rows.empty()) return;
    std::vector<std::size_t> widths(rows.front().size(), 0);
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (c) line += "  ";
            line += row[c];
            // The last column is not padded: no trailing blanks.
            if (c + 1 < row.size() && c < widths.size()) line.append(widths[c] - row[c].size(), ' ');
        }
        out << line << "\n";
    }
}

}  // namespace tidemark::cli
