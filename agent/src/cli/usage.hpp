// The texts of --help and --version.  Must not: print anything itself.
#pragma once

#include <string>

namespace tidemark::cli {

std::string usage_text();
std::string version_text();

}  // namespace tidemark::cli
