// TerminalProgress: the copy's progress drawn on a terminal: a bar per
// table being copied (rows, bytes, rate, ETA) and a total line, redrawn in
// place; each finished table leaves one line above the bars.
// Must not: be used when the stream is not a terminal (escape codes).
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "idp/progress.hpp"

namespace tidemark::idp {

class TerminalProgress : public Progress {
public:
    // `out` stays owned by the caller (stderr by default).
    explicit TerminalProgress(std::FILE* out = stderr, int width = 100);

    void started(const CopyProgress& progress) override;
    void update(const CopyProgress& progress) override;
    void table_finished(const TableCopyResult& table) override;
    void finished(const CopyResult& result) override;

    // One bar line, without escape codes: for the drawing and for tests.
    static std::string bar_line(const TableProgress& table, int width);

private:
    void clear();
    void draw(const CopyProgress& progress);

    std::FILE* out_;
    int width_;
    int lines_drawn_ = 0;
    CopyProgress last_;
};

}  // namespace tidemark::idp
