// Who settles a conflict: the target role the command connected as and
// the operating-system user who ran it, as recorded in resolved_by.
// Must not: read anything but the process's own user (no environment
// secrets, no conninfo).
#pragma once

#include <string>
#include <string_view>

namespace tidemark::conflict_review {

// The OS user running this process: its passwd name, else $USER or
// $LOGNAME, else "uid N".
std::string os_user();

// "postgres (os: alice)"
std::string resolver_label(std::string_view database_role, std::string_view os_user);

}  // namespace tidemark::conflict_review
