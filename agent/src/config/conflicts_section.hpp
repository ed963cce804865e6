// The parsers of the [conflicts] and [late_data] sections (see
// conflicts_config.hpp), registered in config_loader.cpp's kSections.
// Must not: read anything but their own section (and the [source]
// include/exclude patterns parsed before them).
#pragma once

#include "config/config.hpp"
#include "config/section_reader.hpp"

namespace tidemark::config {

void parse_conflicts(SectionReader& section, Config& config);
void parse_late_data(SectionReader& section, Config& config);

}  // namespace tidemark::config
