// The [state] section's parser, for config_loader's list of sections.
// Must not: know the other sections.
#pragma once

#include "config/config.hpp"
#include "config/section_reader.hpp"

namespace tidemark::config {

void parse_state(SectionReader& section, Config& config);

}  // namespace tidemark::config
