// See usage.hpp.
#include "cli/usage.hpp"

#include "tidemark_protocol.h"

namespace tidemark::cli {

std::string usage_text() {
    return "usage: tidemark sync -c FILE [--once] [--reset] [--reseed TABLE]... [--report FILE]\n"
           "                     [--log-format plain|json]\n"
           "       tidemark check-config -c FILE [--log-format plain|json]\n"
           "       tidemark status -c FILE [--json] [--pipeline NAME]\n"
           "       tidemark report -c FILE [--json] [--pipeline NAME]\n"
           "       tidemark slot list -c FILE [--json] [--pipeline NAME]\n"
           "       tidemark slot drop -c FILE [--yes] [--pipeline NAME] [SLOT]\n"
           "       tidemark conflicts list -c FILE [--json] [--pending] [--pipeline NAME]\n"
           "       tidemark conflicts resolve -c FILE ID --keep source|target [--pipeline NAME]\n"
           "       tidemark state show|history -c FILE [--json] [--pipeline NAME]\n"
           "       tidemark state validate -c FILE [--repair] [--json] [--pipeline NAME]\n"
           "       tidemark state rollback -c FILE VERSION [--pipeline NAME]\n"
           "       tidemark state reset -c FILE --yes [--keep-slot] [--pipeline NAME]\n"
           "       tidemark state export|import -c FILE FILE [--force] [--pipeline NAME]\n"
           "       tidemark --version\n"
           "       tidemark --help\n"
           "\n"
           "commands:\n"
           "  sync           copy the source's tables to the target, then keep the target in sync\n"
           "  check-config   validate FILE and check that both databases are ready for a sync\n"
           "  status         each pipeline at a glance: phase, tables and copy progress, lag, last checkpoint,\n"
           "                 conflicts pending review, dead letters (works whether or not an agent runs)\n"
           "  report         the last sync report of each pipeline, as stored on the target\n"
           "  slot list      the source database's logical slots with the WAL they retain and their lag\n"
           "  slot drop      drop SLOT (default: the pipeline's slot) unless it is in use; needs --yes\n"
           "  conflicts list     the target's conflict log, oldest first (--pending: the review queue)\n"
           "  conflicts resolve  settle pending conflict ID: write the source's parked values (--keep source)\n"
           "                     or leave the target row as it is (--keep target); records who and when\n"
           "  state show     where the pipeline is: phase, origin, slot, versions, the rollback window\n"
           "  state history  the kept versions of the pipeline's state, newest first\n"
           "  state validate check the state against itself and the slot (--repair: repair what is fixable)\n"
           "  state rollback go back to VERSION while the slot still retains its WAL; the next sync re-applies\n"
           "  state reset    delete the pipeline's state and origin, drop the slot tidemark created; needs --yes\n"
           "  state export   write the pipeline's state to FILE as JSON (- for standard output)\n"
           "  state import   write the state in FILE to the target (--force replaces an existing one)\n"
           "\n"
           "options:\n"
           "  -c, --config FILE     the configuration file (TOML)\n"
           "  --once                stop when the target has caught up instead of streaming forever\n"
           "  --reset               forget saved progress and start over as startup_mode says\n"
           "  --reseed TABLE        copy TABLE (schema.table, * as a wildcard) again, then stream on;\n"
           "                        repeat it for several tables\n"
           "  --report FILE         write the sync report to FILE instead of standard output\n"
           "  --log-format FORMAT   plain (default) or json lines on standard error\n"
           "  --json                status, report, slot list, conflicts list: print JSON instead of text\n"
           "  --pending             conflicts list: only the conflicts waiting for a decision\n"
           "  --keep SIDE           conflicts resolve: source or target\n"
           "  --yes                 slot drop, state reset: really do it\n"
           "  --keep-slot           state reset: leave the replication slot on the source\n"
           "  --pipeline NAME       status, report, slot list, conflicts list: only pipeline NAME (default: every\n"
           "                        pipeline); state, slot drop, conflicts resolve: the pipeline to act on, needed\n"
           "                        when FILE has several [[pipelines]]\n"
           "\n"
           "exit status: 0 done, 1 runtime failure (or a failed check), 2 bad configuration or usage\n";
}

std::string version_text() {
    return "tidemark " TIDEMARK_VERSION " (change format versions " + std::to_string(TM_PROTO_VERSION_MIN) + ".." +
           std::to_string(TM_PROTO_VERSION_MAX) + ")\n";
}

}  // namespace tidemark::cli
