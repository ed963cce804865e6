// The parsers of [metrics] and [alerts], registered in config_loader's
// section table.  Must not: read other sections.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "config/section_reader.hpp"

namespace tidemark::config {

void parse_metrics(SectionReader& section, Config& config);
void parse_alerts(SectionReader& section, Config& config);

struct ListenAddress {
    std::string host;
    std::uint16_t port = 0;
};

// "127.0.0.1:9187", "0.0.0.0:9187", "localhost:9187", "[::1]:9187";
// nullopt for anything else.
std::optional<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace tidemark::config
