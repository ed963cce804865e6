// The process exit codes of every tidemark command, in one place.
// Must not: grow a code without the documentation of the commands.
#pragma once

namespace tidemark::cli {

inline constexpr int kExitDone = 0;       // finished as asked (for check-config: every check passed)
inline constexpr int kExitFailure = 1;    // a runtime failure (or a failed check)
inline constexpr int kExitBadConfig = 2;  // bad configuration file or command-line usage

}  // namespace tidemark::cli
