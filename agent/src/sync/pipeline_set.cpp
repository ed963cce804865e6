// See pipeline_set.hpp.
#include "sync/pipeline_set.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "cli/exit_codes.hpp"
#include "config/config_error.hpp"
#include "log/event.hpp"
#include "sync/connection_budget.hpp"
#include "sync/pipeline_driver.hpp"
#include "sync/table_reseed.hpp"

namespace tidemark::sync {
namespace {

// What the threads report back to the one that starts them.
struct Outcomes {
    std::mutex mutex;
    std::condition_variable changed;
    int running = 0;
    bool failed = false;
    std::exception_ptr config_error;
};

}  // namespace

std::filesystem::path report_file_for(const std::filesystem::path& file, const std::string& pipeline) {
    std::string safe;
    for (char c : pipeline) {
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        safe += plain ? c : '_';
    }
    std::filesystem::path out = file;
    out.replace_filename(file.stem().string() + "." + safe + file.extension().string());
    return out;
}

int run_pipelines(const config::Config& config, const cli::SyncOptions& options, RunContext& context) {
    const auto pipelines = config::pipelines_by_priority(config);
    const int count = static_cast<int>(pipelines.size());
    const int parallel = config::parallel_pipelines(config);
    ConnectionBudget budget(config.target.max_connections.value_or(config::default_max_connections(config)));
    context.budget = &budget;

    if (count > 1) {
        std::string order;
        for (const auto& p : pipelines)
            order += (order.empty() ? "" : ", ") + p.name + " (" + std::to_string(p.priority) + ")";
        log::info("running " + std::to_string(count) + " pipelines, highest priority first",
                  {{"pipelines", order},
                   {"max_parallel_pipelines", std::to_string(parallel)},
                   {"max_connections", std::to_string(budget.capacity())}});
        if (parallel < count && !options.once && config.sync.startup_mode != config::StartupMode::initial_only)
            log::warn(
                "max_parallel_pipelines is below the number of pipelines and the pipelines stream until "
                "stopped: the last ones start only when others end (with --once or initial_only they all "
                "get their turn)",
                {{"waiting", std::to_string(count - parallel)}});
    }

    // Each --reseed goes to the pipelines whose patterns can hold it.
    std::vector<std::vector<std::string>> reseed(pipelines.size());
    for (const auto& item : options.reseed) {
        bool routed = false;
        try {
            for (std::size_t i = 0; i < pipelines.size(); ++i)
                if (!reseed_items_for(pipelines[i], {item}).empty()) {
                    reseed[i].push_back(item);
                    routed = true;
                }
        } catch (const std::invalid_argument& e) {
            throw config::ConfigError("--reseed " + item + ": " + e.what());
        }
        if (!routed)
            throw config::ConfigError("--reseed " + item +
                                      ": no pipeline streams such a table (see the include and exclude patterns)");
    }

    if (count > 1 && parallel > 1) context.progress = idp::ProgressDisplay::log_lines();

    Outcomes outcomes;
    // A stop while the loop below waits for a free place must wake it.
    std::stop_callback wake(context.stop.get_token(), [&] {
        std::lock_guard lock(outcomes.mutex);
        outcomes.changed.notify_all();
    });
    std::vector<std::jthread> threads;
    threads.reserve(pipelines.size());
    for (std::size_t index = 0; index < pipelines.size(); ++index) {
        const auto& pipeline = pipelines[index];
        {
            std::unique_lock lock(outcomes.mutex);
            outcomes.changed.wait(lock, [&] { return outcomes.running < parallel || context.stop.stop_requested(); });
            if (context.stop.stop_requested()) break;
            ++outcomes.running;
        }
        // Joined before the thread starts, so no lower priority can take
        // connections ahead of it.
        budget.join(pipeline.name, pipeline.priority);
        cli::SyncOptions own = options;
        own.reseed = reseed[index];
        if (count > 1 && options.report_file) own.report_file = report_file_for(*options.report_file, pipeline.name);
        threads.emplace_back([&, pipeline, own] {
            int code = cli::kExitFailure;
            std::exception_ptr config_error;
            try {
                code = drive_pipeline(config::config_for(config, pipeline), pipeline.priority, own, context);
            } catch (const config::ConfigError&) {
                // The file is wrong for every pipeline: all of them stop.
                config_error = std::current_exception();
                context.stop.request_stop();
            } catch (const std::exception& e) {
                log::error(e.what(), {{"pipeline", pipeline.name}});
            }
            budget.leave(pipeline.name);
            if (count > 1)
                log::info("pipeline " + pipeline.name + " ended",
                          {{"pipeline", pipeline.name}, {"exit_code", std::to_string(code)}});
            std::lock_guard lock(outcomes.mutex);
            --outcomes.running;
            outcomes.failed = outcomes.failed || code != cli::kExitDone;
            if (config_error && !outcomes.config_error) outcomes.config_error = config_error;
            outcomes.changed.notify_all();
        });
    }
    for (auto& t : threads) t.join();
    context.budget = nullptr;
    if (outcomes.config_error) std::rethrow_exception(outcomes.config_error);
    return outcomes.failed ? cli::kExitFailure : cli::kExitDone;
}

}  // namespace tidemark::sync
