// LogProgress: the copy's progress as log lines, for when stderr is not a
// terminal (a service, a pipe) or several pipelines copy at once: per table
// in progress a line every ten seconds, and one when it finishes, each
// naming the pipeline.
// Must not: write anything but log events.
#pragma once

#include <chrono>
#include <string>

#include "idp/progress.hpp"

namespace tidemark::idp {

class LogProgress : public Progress {
public:
    explicit LogProgress(std::string pipeline, std::chrono::steady_clock::duration interval = std::chrono::seconds(10))
        : pipeline_(std::move(pipeline)), interval_(interval) {}

    void started(const CopyProgress& progress) override;
    void update(const CopyProgress& progress) override;
    void table_finished(const TableCopyResult& table) override;
    void finished(const CopyResult& result) override;

private:
    std::string pipeline_;
    std::chrono::steady_clock::duration interval_;
    std::chrono::steady_clock::time_point last_{};
};

}  // namespace tidemark::idp
