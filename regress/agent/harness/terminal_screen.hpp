// What a terminal shows after some output: enough of a VT100 for what
// the agent's TerminalSink writes (text, newlines, carriage returns, cursor
// up N lines, erase to the end of the screen), with no scrolling limit.  Tests judge the screen, not the
// escape codes, so that a line erased by a redraw is caught.
#pragma once

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace tidemark::test {

inline std::vector<std::string> render_screen(const std::string& output) {
    std::vector<std::string> lines(1);
    std::size_t row = 0;
    std::size_t column = 0;
    for (std::size_t i = 0; i < output.size(); ++i) {
        char c = output[i];
        if (c == '\x1b' && i + 1 < output.size() && output[i + 1] == '[') {
            std::size_t j = i + 2;
            std::size_t n = 0;
            bool digits = false;
            while (j < output.size() && output[j] >= '0' && output[j] <= '9') {
                n = n * 10 + static_cast<std::size_t>(output[j++] - '0');
                digits = true;
            }
            if (j >= output.size()) break;
            if (output[j] == 'A') {
                std::size_t up = digits ? n : 1;
                row = row > up ? row - up : 0;
            } else if (output[j] == 'J') {  // from the cursor to the end of the screen
                lines.resize(row + 1);
                lines[row].resize(std::min(column, lines[row].size()));
            }
            i = j;
        } else if (c == '\r') {
            column = 0;
        } else if (c == '\n') {
            ++row;
            column = 0;
            if (row >= lines.size()) lines.resize(row + 1);
        } else {
            std::string& line = lines[row];
            if (line.size() <= column) line.resize(column + 1, ' ');
            line[column++] = c;
        }
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    return lines;
}

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using TempFile = std::unique_ptr<std::FILE, FileCloser>;

inline std::string read_all(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::string out;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    return out;
}

}  // namespace tidemark::test
