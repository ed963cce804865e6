// See conflicts_section.hpp.
#include "config/conflicts_section.hpp"

#include <array>
#include <stdexcept>

#include "catalog/table_pattern.hpp"
#include "config/config_error.hpp"

namespace tidemark::config {

std::string_view to_string(Strategy strategy) noexcept {
    switch (strategy) {
        case Strategy::last_write_wins:
            return "last_write_wins";
        case Strategy::source_wins:
            return "source_wins";
        case Strategy::target_wins:
            return "target_wins";
        case Strategy::manual_review:
            return "manual_review";
        case Strategy::error:
            return "error";
    }
    return "last_write_wins";
}

namespace {

constexpr std::array<Choice<Strategy>, 5> kStrategies{{
    {"last_write_wins", Strategy::last_write_wins},
    {"source_wins", Strategy::source_wins},
    {"target_wins", Strategy::target_wins},
    {"manual_review", Strategy::manual_review},
    {"error", Strategy::error},
}};

constexpr std::array<Choice<SoftDeleteMode>, 2> kSoftDeleteModes{{
    {"delete", SoftDeleteMode::remove},
    {"propagate", SoftDeleteMode::propagate},
}};

// "schema.table" as the include patterns spell names: unquoted parts fold
// to lower case, a double-quoted part is taken as is; no schema = public.
bool split_table(std::string_view text, std::string& schema, std::string& name) {
    std::vector<std::string> parts(1);
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    parts.back() += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                parts.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == '.') {
            parts.emplace_back();
        } else if (c == '*') {
            return false;
        } else {
            parts.back() += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
    }
    if (quoted || parts.size() > 2) return false;
    for (const auto& p : parts)
        if (p.empty()) return false;
    schema = parts.size() == 2 ? parts[0] : "public";
    name = parts.back();
    return true;
}

// Reads `table` and checks the [source] patterns select it: a rule for a
// table that is never streamed is a mistake worth stopping for.
void read_table(SectionReader& section, const Config& config, std::string& table, std::string& schema,
                std::string& name) {
    table = section.required_string("table");
    if (!split_table(table, schema, name))
        section.invalid("table", "expected one table as \"schema.table\" (no wildcard)");
    bool selected = false;
    try {
        selected = catalog::TableFilter(config.source.include, config.source.exclude).selects(schema, name);
    } catch (const std::invalid_argument&) {
        // [source] reported its own patterns already.
        selected = true;
    }
    if (!selected)
        throw ConfigError(section.label() + " table = \"" + table +
                          "\" is not streamed: [source] include/exclude do not select it; add it to [source] "
                          "include or remove this block");
}

std::string block_label(std::string_view name, std::size_t index) {
    return "[[" + std::string(name) + "]] #" + std::to_string(index + 1);
}

}  // namespace

void parse_conflicts(SectionReader& section, Config& config) {
    if (!section.present()) return;
    ConflictsConfig c;
    c.default_strategy = section.choice<Strategy>("default", kStrategies).value_or(c.default_strategy);
    c.source_priority = section.string_list("source_priority").value_or(std::vector<std::string>{});
    for (std::size_t i = 0; i < c.source_priority.size(); ++i) {
        if (c.source_priority[i].empty()) section.invalid("source_priority", "source names must not be empty");
        for (std::size_t j = 0; j < i; ++j)
            if (c.source_priority[j] == c.source_priority[i])
                section.invalid("source_priority", "\"" + c.source_priority[i] + "\" is listed twice");
    }
    if (auto r = section.duration("commit_time_resolution"))
        c.commit_time_resolution = std::chrono::duration_cast<std::chrono::microseconds>(*r);
    c.local_source = section.string("local_source").value_or("");
    auto blocks = section.table_list("rules");
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        SectionReader rule(*blocks[i], block_label("conflicts.rules", i));
        ConflictRule r;
        read_table(rule, config, r.table, r.schema, r.name);
        r.columns = rule.string_list("columns").value_or(std::vector<std::string>{});
        if (r.columns.empty())
            throw ConfigError(rule.label() +
                              " columns is required: the columns this rule decides (the others follow [conflicts] "
                              "default)");
        for (const auto& col : r.columns)
            if (col.empty()) rule.invalid("columns", "column names must not be empty");
        auto strategy = rule.choice<Strategy>("strategy", kStrategies);
        if (!strategy) throw ConfigError(rule.label() + " strategy is required");
        r.strategy = *strategy;
        rule.finish();
        for (const auto& earlier : c.rules)
            if (earlier.schema == r.schema && earlier.name == r.name)
                for (const auto& col : r.columns)
                    for (const auto& other : earlier.columns)
                        if (col == other)
                            throw ConfigError(rule.label() + " column \"" + col + "\" of " + r.table +
                                              " already has a rule; give each column one strategy");
        c.rules.push_back(std::move(r));
    }
    config.conflicts = std::move(c);
}

void parse_late_data(SectionReader& section, Config& config) {
    if (!section.present()) return;
    LateDataConfig l;
    l.tolerance = section.duration("tolerance").value_or(l.tolerance);
    l.max_clock_skew = section.duration("max_clock_skew").value_or(l.max_clock_skew);
    l.tombstone_retention = section.duration("tombstone_retention").value_or(l.tombstone_retention);
    if (l.tombstone_retention.count() <= 0)
        section.invalid("tombstone_retention", "must be longer than 0; tombstones guard against late changes");
    auto blocks = section.table_list("tables");
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        SectionReader block(*blocks[i], block_label("late_data.tables", i));
        LateDataTable t;
        read_table(block, config, t.table, t.schema, t.name);
        t.version_column = block.string("version_column");
        t.soft_delete_column = block.string("soft_delete_column");
        if (t.version_column && t.version_column->empty()) block.invalid("version_column", "must not be empty");
        if (t.soft_delete_column && t.soft_delete_column->empty())
            block.invalid("soft_delete_column", "must not be empty");
        if (auto mode = block.choice<SoftDeleteMode>("soft_delete", kSoftDeleteModes)) {
            if (!t.soft_delete_column)
                block.invalid("soft_delete", "it needs soft_delete_column (the column that marks a row deleted)");
            t.soft_delete = *mode;
        }
        block.finish();
        for (const auto& earlier : l.tables)
            if (earlier.schema == t.schema && earlier.name == t.name)
                throw ConfigError(block.label() + " table = \"" + t.table +
                                  "\" appears twice in [[late_data.tables]]; merge the blocks");
        l.tables.push_back(std::move(t));
    }
    config.late_data = std::move(l);
}

}  // namespace tidemark::config
