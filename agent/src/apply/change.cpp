// See change.hpp.
#include "apply/change.hpp"

namespace tidemark::apply {

std::string_view to_string(ChangeKind kind) noexcept {
    switch (kind) {
        case ChangeKind::insert:
            return "insert";
        case ChangeKind::update:
            return "update";
        case ChangeKind::remove:
            return "delete";
        case ChangeKind::truncate:
            return "truncate";
    }
    return "insert";
}

}  // namespace tidemark::apply
