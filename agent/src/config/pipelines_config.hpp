// The [[pipelines]] of a configuration file and the settings that govern
// how one agent runs them: each pipeline's name, slot, include/exclude and
// priority, [sync] max_parallel_pipelines and on_busy, and [target]
// max_connections.  parse_pipelines reads the array after the ordinary
// sections and refuses what would make two pipelines collide (a name, a
// slot, or a table both would apply).
// Must not: connect to a database or decide the order pipelines run in
// (sync/pipeline_set does).
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tidemark::config {

struct Config;

// What the second agent to reach a pipeline does when another agent
// already drives it.
enum class OnBusy {
    exit,  // exit with code 1, naming the agent that drives it
    wait,  // stand by, and take over when the other agent's session ends
};

std::string_view to_string(OnBusy on_busy) noexcept;

struct PipelineConfig {
    std::string name;
    std::string slot;
    std::vector<std::string> include;  // empty: every table
    std::vector<std::string> exclude;
    // Higher first: for a place among max_parallel_pipelines and for the
    // target connections of [target] max_connections.
    int priority = 0;
};

// Reads root["pipelines"] (absent: nothing to do) into config.pipelines
// and checks it against the rest of `config`, which must be parsed
// already.  Throws ConfigError naming the pipeline and the fix.
void parse_pipelines(const toml::table& root, Config& config);

// The configuration one pipeline of the set runs with: `config` with its
// [source] slot, include, exclude and name replaced by the pipeline's.
Config config_for(const Config& config, const PipelineConfig& pipeline);

// The one-pipeline configuration of pipeline `name` (config_for), for
// the commands that act on one pipeline (state, status, slot ...).
// Without a name: the only pipeline there is.  Throws ConfigError naming
// the pipelines when the name is unknown, or missing among several.
Config select_pipeline(const Config& config, const std::optional<std::string>& name);

// Every pipeline the configuration describes, highest priority first
// (ties in file order): the [[pipelines]], or the one that [source]
// describes when there are none.
std::vector<PipelineConfig> pipelines_by_priority(const Config& config);

// How many pipelines run at once: max_parallel_pipelines, at most all.
int parallel_pipelines(const Config& config);

// The budget of target connections when [target] max_connections is not
// set: every copy job of one pipeline plus an apply session for each of
// the pipelines that may run at once.
int default_max_connections(const Config& config);

}  // namespace tidemark::config
