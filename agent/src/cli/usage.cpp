// See usage.hpp.
#include "cli/usage.hpp"

#include "tidemark_protocol.h"

namespace tidemark::cli {

std::string usage_text() {
    return "usage: tidemark sync -c FILE [--once] [--reset] [--report FILE] [--log-format plain|json]\n"
           "       tidemark check-config -c FILE [--log-format plain|json]\n"
           "       tidemark --version\n"
           "       tidemark --help\n"
           "\n"
           "commands:\n"
           "  sync           copy the source's tables to the target, then keep the target in sync\n"
           "  check-config   validate FILE and check that both databases are ready for a sync\n"
           "\n"
           "options:\n"
           "  -c, --config FILE     the configuration file (TOML)\n"
           "  --once                stop when the target has caught up instead of streaming forever\n"
           "  --reset               forget saved progress and start over as startup_mode says\n"
           "  --report FILE         write the sync report to FILE instead of standard output\n"
           "  --log-format FORMAT   plain (default) or json lines on standard error\n"
           "\n"
           "exit status: 0 done, 1 runtime failure (or a failed check), 2 bad configuration or usage\n";
}

std::string version_text() {
    return "tidemark " TIDEMARK_VERSION " (change format versions " + std::to_string(TM_PROTO_VERSION_MIN) + ".." +
           std::to_string(TM_PROTO_VERSION_MAX) + ")\n";
}

}  // namespace tidemark::cli
