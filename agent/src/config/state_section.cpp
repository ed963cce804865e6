// See state_section.hpp.
#include "config/state_section.hpp"

#include <string>

namespace tidemark::config {

void parse_state(SectionReader& section, Config& config) {
    StateConfig& state = config.state;
    state.keep_versions = static_cast<int>(section.integer("keep_versions", 1, 1000).value_or(state.keep_versions));
    if (auto interval = section.duration("version_interval")) {
        if (interval->count() < 1000)
            section.invalid("version_interval",
                            "must be at least 1s: each version is a target transaction and, with keep_versions, "
                            "sets how long the slot keeps WAL for a rollback");
        state.version_interval = *interval;
    }
    state.auto_repair = section.boolean("auto_repair").value_or(state.auto_repair);
    state.rollback_window = section.boolean("rollback_window").value_or(state.rollback_window);
}

}  // namespace tidemark::config
