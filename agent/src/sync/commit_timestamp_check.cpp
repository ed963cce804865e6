// See commit_timestamp_check.hpp.
#include "sync/commit_timestamp_check.hpp"

namespace tidemark::sync {

std::string commit_timestamp_off_message() {
    return "track_commit_timestamp is off on the target, so conflict detection cannot tell who last wrote a target "
           "row or when: insert_exists, update_differs and delete_differs are seen only for source tables with "
           "REPLICA IDENTITY FULL (by comparing the change's old row with the target's) and not at all for the "
           "others; update_missing and delete_missing are always seen; last_write_wins and late data have no "
           "target commit time to compare (a configured version column still works). Fix: ALTER SYSTEM SET "
           "track_commit_timestamp = on; then restart the target server";
}

std::optional<std::string> commit_timestamp_warning(pg::Connection& target) {
    pg::Result r = target.exec("SELECT current_setting('track_commit_timestamp')",
                               "while reading track_commit_timestamp on the target");
    if (r.value(0, 0) == "on") return std::nullopt;
    return commit_timestamp_off_message();
}

}  // namespace tidemark::sync
