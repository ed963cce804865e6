// See pipeline_choice.hpp.
#include "cli/pipeline_choice.hpp"

#include <algorithm>

#include "cli/usage_error.hpp"
#include "config/pipelines_config.hpp"

namespace tidemark::cli {
namespace {

std::string quoted_list(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "\"" : ", \"") + n + "\"";
    return out;
}

std::string file_of(const config::Config& config) {
    return config.path.empty() ? std::string("the configuration") : config.path.string();
}

void require_known(const config::Config& config, const std::string& name) {
    auto names = pipeline_names(config);
    if (std::find(names.begin(), names.end(), name) != names.end()) return;
    if (config.pipelines.empty())
        throw UsageError("--pipeline: there is no pipeline \"" + name + "\"; " + file_of(config) + " describes one, " +
                         quoted_list(names) + " ([source] name, or its slot)");
    throw UsageError("--pipeline: there is no pipeline \"" + name + "\"; the [[pipelines]] of " + file_of(config) +
                     " are " + quoted_list(names));
}

}  // namespace

std::string pipeline_option(std::string_view value) {
    if (value.empty()) throw UsageError("option --pipeline needs the name of a pipeline ([[pipelines]] name)");
    return std::string(value);
}

std::vector<std::string> pipeline_names(const config::Config& config) {
    if (config.pipelines.empty()) return {config.source.name.empty() ? config.source.slot : config.source.name};
    std::vector<std::string> names;
    for (const auto& p : config.pipelines) names.push_back(p.name);
    return names;
}

config::Config pipelines_named(const config::Config& config, const std::optional<std::string>& name) {
    if (!name) return config;
    require_known(config, *name);
    config::Config narrowed = config;
    std::erase_if(narrowed.pipelines, [&](const config::PipelineConfig& p) { return p.name != *name; });
    return narrowed;
}

config::Config one_pipeline(const config::Config& config, const std::optional<std::string>& name,
                            std::string_view command) {
    if (name)
        require_known(config, *name);
    else if (config.pipelines.size() > 1)
        throw UsageError(std::string(command) + " acts on one pipeline, and " + file_of(config) + " has " +
                         std::to_string(config.pipelines.size()) + " ([[pipelines]] " +
                         quoted_list(pipeline_names(config)) + "); name it with --pipeline NAME");
    // Both refusals of select_pipeline are answered above, as usage errors.
    return config::select_pipeline(config, name);
}

}  // namespace tidemark::cli
