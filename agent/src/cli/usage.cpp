// See usage.hpp.
#include "cli/usage.hpp"

#include "tidemark_protocol.h"

namespace tidemark::cli {

std::string usage_text() {
    return "usage: tidemark sync -c FILE [--once] [--reset] [--report FILE] [--log-format plain|json]\n"
           "       tidemark check-config -c FILE [--log-format plain|json]\n"
           "       tidemark slot list -c FILE [--json]\n"
           "       tidemark slot drop -c FILE [--yes] [SLOT]\n"
           "       tidemark --version\n"
           "       tidemark --help\n"
           "\n"
           "commands:\n"
           "  sync           copy the source's tables to the target, then keep the target in sync\n"
           "  check-config   validate FILE and check that both databases are ready for a sync\n"
           "  slot list      the source database's logical slots with the WAL they retain and their lag\n"
           "  slot drop      drop SLOT (default: the configured slot) unless it is in use; needs --yes\n"
           "\n"
           "options:\n"
           "  -c, --config FILE     the configuration file (TOML)\n"
           "  --once                stop when the target has caught up instead of streaming forever\n"
           "  --reset               forget saved progress and start over as startup_mode says\n"
           "  --report FILE         write the sync report to FILE instead of standard output\n"
           "  --log-format FORMAT   plain (default) or json lines on standard error\n"
           "  --json                slot list: print JSON instead of a table\n"
           "  --yes                 slot drop: really drop the slot\n"
           "\n"
           "exit status: 0 done, 1 runtime failure (or a failed check), 2 bad configuration or usage\n";
}

std::string version_text() {
    return "tidemark " TIDEMARK_VERSION " (change format versions " + std::to_string(TM_PROTO_VERSION_MIN) + ".." +
           std::to_string(TM_PROTO_VERSION_MAX) + ")\n";
}

}  // namespace tidemark::cli
