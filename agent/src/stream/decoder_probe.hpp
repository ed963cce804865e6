// Whether the source can load the tidemark decoder, found out the only
// reliable way: creating a temporary logical slot with it (dropped when
// the probe's connection closes).  Must not: leave a slot behind.
#pragma once

#include <chrono>
#include <string>

namespace tidemark::stream {

struct DecoderProbe {
    bool loaded = false;
    // The server refused the plugin because of output_plugin_libraries.
    bool not_allowed = false;
    std::string detail;  // why not, or a note on how it was confirmed
};

// Slot creation waits for transactions open on the source; the plugin is
// loaded before that wait, so reaching `timeout` still counts as loaded.
// Throws pg::DatabaseError only when the source cannot be reached.
DecoderProbe probe_decoder(const std::string& conninfo, std::chrono::milliseconds timeout);

}  // namespace tidemark::stream
