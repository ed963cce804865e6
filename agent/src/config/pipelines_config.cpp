// See pipelines_config.hpp.
#include "config/pipelines_config.hpp"

#include <algorithm>
#include <stdexcept>

#include "catalog/pattern_overlap.hpp"
#include "config/config.hpp"
#include "config/config_error.hpp"
#include "config/names.hpp"
#include "config/section_reader.hpp"

namespace tidemark::config {
namespace {

std::vector<std::string> patterns(SectionReader& section, std::string_view key) {
    auto list = section.string_list(key).value_or(std::vector<std::string>{});
    for (const auto& p : list)
        if (p.empty()) section.invalid(key, "table patterns are \"schema.table\", with * as a wildcard");
    return list;
}

PipelineConfig parse_one(const toml::table& table, std::size_t index) {
    SectionReader section(table, "[[pipelines]] #" + std::to_string(index + 1));
    PipelineConfig p;
    p.name = section.required_string("name");
    if (p.name.empty()) section.invalid("name", "the name must not be empty");
    if (auto clash = copy_origin_clash(p.name)) section.invalid("name", *clash);
    SectionReader named(table, "[[pipelines]] \"" + p.name + "\"");
    named.has("name");
    if (auto slot = named.string("slot")) {
        if (!valid_slot_name(*slot))
            named.invalid("slot", "slot names use lowercase letters, digits and underscores, at most 63 characters");
        p.slot = *slot;
    } else if (valid_slot_name(p.name)) {
        p.slot = p.name;
    } else {
        throw ConfigError(named.label() +
                          " needs a slot: its name is not a valid slot name to default to (lowercase letters, "
                          "digits and underscores, at most 63 characters)");
    }
    p.include = patterns(named, "include");
    p.exclude = patterns(named, "exclude");
    p.priority = static_cast<int>(named.integer("priority", -1'000'000, 1'000'000).value_or(0));
    named.finish();
    return p;
}

void refuse_source_keys(const toml::table& root) {
    const toml::table* source = root["source"].as_table();
    if (!source) return;
    for (std::string_view key : {"slot", "include", "exclude", "name"})
        if (source->contains(key))
            throw ConfigError("[source] " + std::string(key) +
                              " is set, but with [[pipelines]] each pipeline names its own " + std::string(key) +
                              "; move it into the [[pipelines]] it belongs to ([source] keeps the conninfo "
                              "they share)");
}

void refuse_collisions(const std::vector<PipelineConfig>& pipelines) {
    for (std::size_t i = 0; i < pipelines.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            const auto& a = pipelines[j];
            const auto& b = pipelines[i];
            if (a.name == b.name)
                throw ConfigError("[[pipelines]] name \"" + a.name +
                                  "\" is used twice; each pipeline needs a name of its own (it keys its state on "
                                  "the target)");
            if (a.slot == b.slot)
                throw ConfigError("[[pipelines]] \"" + a.name + "\" and \"" + b.name + "\" both use slot \"" + a.slot +
                                  "\"; each pipeline streams from a slot of its own");
            std::optional<catalog::SharedTable> shared;
            try {
                shared = catalog::shared_table({a.include, a.exclude}, {b.include, b.exclude});
            } catch (const std::invalid_argument& e) {
                throw ConfigError("[[pipelines]] \"" + a.name + "\" or \"" + b.name + "\": " + e.what());
            }
            if (shared)
                throw ConfigError("[[pipelines]] \"" + a.name + "\" and \"" + b.name +
                                  "\" can both include the same table (for example " + shared->example + ": \"" +
                                  a.name + "\" includes " + shared->pattern_a + ", \"" + b.name + "\" includes " +
                                  shared->pattern_b +
                                  "); its changes would be applied twice: narrow an include or add an exclude so "
                                  "that each table belongs to one pipeline");
        }
    }
}

}  // namespace

std::string_view to_string(OnBusy on_busy) noexcept {
    switch (on_busy) {
        case OnBusy::exit:
            return "exit";
        case OnBusy::wait:
            return "wait";
    }
    return "exit";
}

void parse_pipelines(const toml::table& root, Config& config) {
    const toml::node* node = root.get("pipelines");
    if (node) {
        const toml::array* array = node->as_array();
        if (array && array->empty())
            throw ConfigError("pipelines is empty; leave it out to run [source] as the one pipeline");
        if (!array || !array->is_array_of_tables())
            throw ConfigError(
                "pipelines must be written as [[pipelines]] sections (an array of tables), one per pipeline");
        refuse_source_keys(root);
        for (std::size_t i = 0; i < array->size(); ++i)
            config.pipelines.push_back(parse_one(*array->get(i)->as_table(), i));
        refuse_collisions(config.pipelines);
        if (config.pipelines.size() > 1 && config.sync.startup_mode == StartupMode::specific)
            throw ConfigError(
                "[sync] startup_mode = \"specific\" streams one existing slot from start_lsn; it cannot serve " +
                std::to_string(config.pipelines.size()) + " [[pipelines]]: give each its own configuration file");
    }
    const int parallel = parallel_pipelines(config);
    if (config.target.max_connections && *config.target.max_connections < parallel)
        throw ConfigError("[target] max_connections = " + std::to_string(*config.target.max_connections) +
                          " is not valid; each of the " + std::to_string(parallel) +
                          " pipelines that run at once keeps an apply session: allow at least " +
                          std::to_string(parallel) + ", or lower [sync] max_parallel_pipelines");
}

Config config_for(const Config& config, const PipelineConfig& pipeline) {
    Config one = config;
    one.source.name = pipeline.name;
    one.source.slot = pipeline.slot;
    one.source.include = pipeline.include;
    one.source.exclude = pipeline.exclude;
    one.pipelines.clear();
    return one;
}

Config select_pipeline(const Config& config, const std::optional<std::string>& name) {
    if (config.pipelines.empty()) {
        const std::string own = config.source.name.empty() ? config.source.slot : config.source.name;
        if (name && *name != own)
            throw ConfigError("there is no pipeline \"" + *name + "\"; the configuration describes one, \"" + own +
                              "\", in [source]");
        return config;
    }
    std::string names;
    for (const auto& p : config.pipelines) {
        if (name ? p.name == *name : config.pipelines.size() == 1) return config_for(config, p);
        names += (names.empty() ? "\"" : ", \"") + p.name + "\"";
    }
    if (name) throw ConfigError("there is no pipeline \"" + *name + "\" in [[pipelines]]; they are " + names);
    throw ConfigError("the configuration has " + std::to_string(config.pipelines.size()) +
                      " [[pipelines]]; name the one to act on (" + names + ")");
}

std::vector<PipelineConfig> pipelines_by_priority(const Config& config) {
    if (config.pipelines.empty())
        return {PipelineConfig{config.source.name.empty() ? config.source.slot : config.source.name, config.source.slot,
                               config.source.include, config.source.exclude, 0}};
    std::vector<PipelineConfig> out = config.pipelines;
    std::stable_sort(out.begin(), out.end(),
                     [](const PipelineConfig& a, const PipelineConfig& b) { return a.priority > b.priority; });
    return out;
}

int parallel_pipelines(const Config& config) {
    int count = static_cast<int>(std::max<std::size_t>(1, config.pipelines.size()));
    return std::min(count, config.sync.max_parallel_pipelines.value_or(count));
}

int default_max_connections(const Config& config) { return config.sync.copy_jobs + parallel_pipelines(config); }

}  // namespace tidemark::config
