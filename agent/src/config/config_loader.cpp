// See config_loader.hpp.  One parser function per section, listed in
// kSections; each reads its keys through a SectionReader, which refuses
// the keys it was not asked for.
#include "config/config_loader.hpp"

#include <array>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "config/config_error.hpp"
#include "config/conflicts_section.hpp"
#include "config/metrics_sections.hpp"
#include "config/names.hpp"
#include "config/section_reader.hpp"
#include "config/state_section.hpp"
#include "pg/conninfo_mask.hpp"

namespace tidemark::config {
namespace {

constexpr std::array<Choice<StartupMode>, 4> kStartupModes{{
    {"initial", StartupMode::initial},
    {"latest", StartupMode::latest},
    {"specific", StartupMode::specific},
    {"initial_only", StartupMode::initial_only},
}};

constexpr std::array<Choice<OriginFilter>, 2> kOriginFilters{{
    {"any", OriginFilter::any},
    {"none", OriginFilter::none},
}};

constexpr std::array<Choice<OnBusy>, 2> kOnBusyChoices{{
    {"exit", OnBusy::exit},
    {"wait", OnBusy::wait},
}};

constexpr std::array<Choice<OnError>, 2> kOnErrorChoices{{
    {"dead_letter", OnError::dead_letter},
    {"stop", OnError::stop},
}};

std::string conninfo(SectionReader& section) {
    std::string value = section.required_secret_string("conninfo");
    if (!pg::conninfo_is_valid(value))
        throw ConfigError(section.label() +
                          " conninfo is not a valid connection string; use key=value pairs "
                          "(host=... dbname=...) or a postgresql:// URI");
    return value;
}

std::vector<std::string> table_patterns(SectionReader& section, std::string_view key) {
    auto patterns = section.string_list(key).value_or(std::vector<std::string>{});
    for (const auto& p : patterns)
        if (p.empty()) section.invalid(key, "table patterns are \"schema.table\", with * as a wildcard");
    return patterns;
}

void parse_source(SectionReader& section, Config& config) {
    SourceConfig& source = config.source;
    source.conninfo = conninfo(section);
    if (auto slot = section.string("slot")) {
        if (!valid_slot_name(*slot))
            section.invalid("slot", "slot names use lowercase letters, digits and underscores, at most 63 characters");
        source.slot = *slot;
    }
    source.include = table_patterns(section, "include");
    source.exclude = table_patterns(section, "exclude");
    source.name = section.string("name").value_or(source.slot);
    if (source.name.empty()) section.invalid("name", "the name must not be empty");
    if (auto clash = copy_origin_clash(source.name)) section.invalid(section.has("name") ? "name" : "slot", *clash);
    source.origin = section.choice<OriginFilter>("origin", kOriginFilters).value_or(source.origin);
    source.receive_timeout = section.duration_or_off("receive_timeout").value_or(source.receive_timeout);
    if (source.receive_timeout.count() > 0 && source.receive_timeout < std::chrono::seconds(1))
        section.invalid("receive_timeout", "must be at least 1s, or \"off\"");
}

void parse_target(SectionReader& section, Config& config) {
    TargetConfig& target = config.target;
    target.conninfo = conninfo(section);
    target.create_tables = section.boolean("create_tables").value_or(target.create_tables);
    if (auto n = section.integer("max_connections", 1, 10'000)) target.max_connections = static_cast<int>(*n);
}

void parse_sync(SectionReader& section, Config& config) {
    SyncConfig& sync = config.sync;
    sync.startup_mode = section.choice<StartupMode>("startup_mode", kStartupModes).value_or(sync.startup_mode);
    if (auto text = section.string("start_lsn")) {
        if (sync.startup_mode != StartupMode::specific)
            section.invalid("start_lsn", "start_lsn is only used with startup_mode = \"specific\"");
        auto lsn = pg::Lsn::try_parse(*text);
        if (!lsn || !lsn->is_valid()) section.invalid("start_lsn", "expected a WAL position such as \"16/B374D848\"");
        sync.start_lsn = *lsn;
    } else if (sync.startup_mode == StartupMode::specific) {
        throw ConfigError(section.label() + " start_lsn is required with startup_mode = \"specific\"");
    }
    sync.copy_jobs = static_cast<int>(section.integer("copy_jobs", 1, 256).value_or(sync.copy_jobs));
    sync.batch_size = static_cast<int>(section.integer("batch_size", 1, 10'000'000).value_or(sync.batch_size));
    if (auto latency = section.duration("max_batch_latency")) {
        if (latency->count() < 1) section.invalid("max_batch_latency", "must be at least 1ms");
        sync.max_batch_latency = *latency;
    }
    sync.on_error = section.choice<OnError>("on_error", kOnErrorChoices).value_or(sync.on_error);
    sync.auto_add_columns = section.boolean("auto_add_columns").value_or(sync.auto_add_columns);
    sync.chunk_rows = section.integer("chunk_rows", 1).value_or(sync.chunk_rows);
    sync.copy_max_rate = section.byte_size("copy_max_rate");
    if (sync.copy_max_rate && *sync.copy_max_rate < kMinCopyRate)
        section.invalid("copy_max_rate", "must be at least 32kB (per second); leave it out for no limit");
    sync.sequence_interval = section.duration_or_off("sequence_interval").value_or(sync.sequence_interval);
    if (sync.sequence_interval.count() > 0 && sync.sequence_interval < std::chrono::seconds(1))
        section.invalid("sequence_interval", "must be at least 1s, or \"off\"");
    sync.binary = section.boolean("binary").value_or(sync.binary);
    if (auto n = section.integer("max_parallel_pipelines", 1, 1'000))
        sync.max_parallel_pipelines = static_cast<int>(*n);
    sync.on_busy = section.choice<OnBusy>("on_busy", kOnBusyChoices).value_or(sync.on_busy);
}

void parse_slot(SectionReader& section, Config& config) {
    SlotConfig& slot = config.slot;
    slot.warn_retained = section.byte_size("warn_retained").value_or(slot.warn_retained);
    slot.max_retained = section.byte_size("max_retained");
    if (slot.max_retained && *slot.max_retained == 0)
        section.invalid("max_retained", "leave it out for no limit; a limit of 0 would alert all the time");
    slot.heartbeat = section.duration_or_off("heartbeat").value_or(slot.heartbeat);
}

struct Section {
    std::string_view name;
    bool required;
    void (*parse)(SectionReader&, Config&);
};

constexpr std::array<Section, 9> kSections{{
    {"source", true, parse_source},
    {"target", true, parse_target},
    {"sync", false, parse_sync},
    {"slot", false, parse_slot},
    {"conflicts", false, parse_conflicts},
    {"late_data", false, parse_late_data},
    {"state", false, parse_state},
    {"metrics", false, parse_metrics},
    {"alerts", false, parse_alerts},
}};

std::string section_list() {
    std::string out;
    for (const auto& s : kSections) {
        if (!out.empty()) out += ", ";
        out += "[" + std::string(s.name) + "]";
    }
    return out;
}

Config build(const toml::table& root) {
    for (const auto& [key, node] : root) {
        bool known = false;
        for (const auto& s : kSections) known = known || s.name == key.str();
        known = known || key.str() == "pipelines";  // [[pipelines]], read by parse_pipelines
        if (!known) {
            if (node.is_table())
                throw ConfigError("unknown section [" + std::string(key.str()) +
                                  "]; valid sections: " + section_list());
            throw ConfigError("unknown key \"" + std::string(key.str()) +
                              "\" at the top level; settings belong in a section: " + section_list());
        }
    }
    Config config;
    const toml::table empty;
    for (const auto& s : kSections) {
        const toml::node* node = root.get(s.name);
        const toml::table* table = node ? node->as_table() : nullptr;
        if (node && !table)
            throw ConfigError(std::string(s.name) + " must be a section ([" + std::string(s.name) + "])");
        if (!table && s.required) throw ConfigError("section [" + std::string(s.name) + "] is required");
        SectionReader reader(table ? *table : empty, "[" + std::string(s.name) + "]", table != nullptr);
        s.parse(reader, config);
        reader.finish();
    }
    parse_pipelines(root, config);
    return config;
}

}  // namespace

Config parse_config(std::string_view toml_text, std::string_view origin) {
    toml::table root;
    try {
        root = toml::parse(toml_text, origin);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        std::ostringstream msg;
        msg << origin << ":" << where.line << ":" << where.column << ": " << e.description();
        throw ConfigError(msg.str());
    }
    return build(root);
}

Config load_config(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("cannot read " + path.string() + ": no such file or not readable");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ConfigError("cannot read " + path.string());
    Config config = parse_config(text.str(), path.string());
    config.path = path;
    return config;
}

}  // namespace tidemark::config
