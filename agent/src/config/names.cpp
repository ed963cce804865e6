// See names.hpp.
#include "config/names.hpp"

#include "checkpoint/copy_origin.hpp"
#include "checkpoint/replication_origin.hpp"

namespace tidemark::config {

bool valid_slot_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > 63) return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

std::optional<std::string> copy_origin_clash(std::string_view pipeline) {
    const std::string origin = checkpoint::origin_name_for(pipeline);
    auto owner = checkpoint::copy_origin_owner(origin);
    if (!owner) return std::nullopt;
    return "the pipeline name \"" + std::string(pipeline) + "\" gives replication origin " + origin +
           ", which is also the name of a copy origin of the pipeline whose origin is " + *owner +
           ": the two would write under one origin; choose a name that does not end in _copy and digits (with "
           "[source], set name = \"...\" to keep the slot)";
}

}  // namespace tidemark::config
