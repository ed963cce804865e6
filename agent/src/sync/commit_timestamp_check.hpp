// The target's track_commit_timestamp, which conflict detection reads to
// tell who last wrote a target row and when: the check `tidemark sync`
// runs once at start when [conflicts] or [late_data] is configured, and
// `tidemark check-config` reports.
// Must not: change the setting (it needs a server restart: a DBA's call).
#pragma once

#include <optional>
#include <string>

#include "pg/connection.hpp"

namespace tidemark::sync {

// The warning to give when the target does not record commit timestamps,
// naming the setting, the fix and the conflict kinds that cannot be seen;
// nullopt when it does.
std::optional<std::string> commit_timestamp_warning(pg::Connection& target);

// The warning alone, for when the setting is known to be off.
std::string commit_timestamp_off_message();

}  // namespace tidemark::sync
