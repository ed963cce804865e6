// TerminalProgress: the copy's progress drawn on a terminal: a bar per
// table being copied (rows, bytes, rate, ETA) and a total line, redrawn in
// place as the log sink's status lines, so log lines stay above them; each
// finished table leaves one line above the bars.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "idp/progress.hpp"
#include "log/terminal_sink.hpp"

namespace tidemark::idp {

class TerminalProgress : public Progress {
public:
    TerminalProgress(std::shared_ptr<log::TerminalSink> terminal, int width);
    // A copy that ends in an error leaves no bars behind.
    ~TerminalProgress() override;
    TerminalProgress(const TerminalProgress&) = delete;
    TerminalProgress& operator=(const TerminalProgress&) = delete;

    void started(const CopyProgress& progress) override;
    void update(const CopyProgress& progress) override;
    void table_finished(const TableCopyResult& table) override;
    void finished(const CopyResult& result) override;

    // One bar line, without escape codes: for the drawing and for tests.
    static std::string bar_line(const TableProgress& table, int width);

private:
    void draw(const CopyProgress& progress);

    std::shared_ptr<log::TerminalSink> terminal_;
    int width_;
    CopyProgress last_;
};

}  // namespace tidemark::idp
