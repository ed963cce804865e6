// The rules a config's slot and pipeline names are held to.
// Must not: read a config (the section parsers do, and report what these
// refuse in their own words).
#pragma once

#include <string>
#include <string_view>

namespace tidemark::config {

// PostgreSQL's rule for replication slot names (ReplicationSlotValidateName).
bool valid_slot_name(std::string_view name) noexcept;

// A pipeline whose replication origin ends in "_copy" and digits: it would
// read as one of another pipeline's copy origins ("<origin>_copy<N>",
// checkpoint/copy_origin.hpp), which that pipeline's copy jobs bind, its
// fencing ends and its --reset drops.
bool looks_like_a_copy_origin(std::string_view pipeline);
// What is wrong with such a name, and what to do.
std::string copy_origin_like_name(std::string_view pipeline);

}  // namespace tidemark::config
