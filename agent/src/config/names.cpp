// See names.hpp.
#include "config/names.hpp"

#include "checkpoint/replication_origin.hpp"

namespace tidemark::config {
namespace {

// The length of "_copy<digits>" at the end of `name`, 0 when it does not end so.
std::size_t copy_suffix(std::string_view name) noexcept {
    constexpr std::string_view kCopy = "_copy";
    std::size_t digits = 0;
    while (digits < name.size() && name[name.size() - 1 - digits] >= '0' && name[name.size() - 1 - digits] <= '9')
        ++digits;
    if (digits == 0 || name.size() - digits < kCopy.size()) return 0;
    return name.substr(name.size() - digits - kCopy.size(), kCopy.size()) == kCopy ? digits + kCopy.size() : 0;
}

}  // namespace

bool valid_slot_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > 63) return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

bool looks_like_a_copy_origin(std::string_view pipeline) {
    const std::string origin = checkpoint::origin_name_for(pipeline);
    const std::size_t suffix = copy_suffix(origin);
    // The other pipeline's name may not be empty: "tidemark_" alone is no
    // pipeline's origin.
    return suffix > 0 && origin.size() - suffix > checkpoint::origin_name_for("").size();
}

std::string copy_origin_like_name(std::string_view pipeline) {
    const std::string origin = checkpoint::origin_name_for(pipeline);
    const std::string owner = origin.substr(0, origin.size() - copy_suffix(origin));
    return "the pipeline name \"" + std::string(pipeline) + "\" gives replication origin " + origin +
           ", which is also the name of a copy origin of the pipeline whose origin is " + owner +
           ": the two would write under one origin; choose a name that does not end in _copy and digits (with "
           "[source], set name = \"...\" to keep the slot)";
}

}  // namespace tidemark::config
