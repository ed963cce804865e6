// The tidemark executable: hands the command line to cli::run with the
// real commands.  Must not: do anything else.
#include <iostream>
#include <string_view>
#include <vector>

#include "cli/app.hpp"
#include "sync/sync_command.hpp"

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    return tidemark::cli::run(args, {.sync = tidemark::sync::run_sync}, std::cout, std::cerr);
}
