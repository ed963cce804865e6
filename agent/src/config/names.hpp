// The rules a config's slot and pipeline names are held to.
// Must not: read a config (the section parsers do, and report what these
// refuse in their own words).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tidemark::config {

// PostgreSQL's rule for replication slot names (ReplicationSlotValidateName).
bool valid_slot_name(std::string_view name) noexcept;

// What is wrong with a pipeline name whose replication origin has the form
// of another pipeline's copy origin (checkpoint::copy_origin_owner), which
// that pipeline's copy jobs bind, its fencing ends and its --reset drops,
// and what to do; nullopt for any other name.
std::optional<std::string> copy_origin_clash(std::string_view pipeline);

}  // namespace tidemark::config
