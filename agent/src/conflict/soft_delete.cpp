// See soft_delete.hpp.
#include "conflict/soft_delete.hpp"

namespace tidemark::conflict {

std::optional<bool> marks_deleted(const wire::Value& value) noexcept {
    switch (value.kind) {
        case wire::ValueKind::null:
            return false;
        case wire::ValueKind::unchanged_toast:
            return std::nullopt;
        case wire::ValueKind::text:
            // boolout's spelling of false; a timestamp or text is never "f".
            return value.bytes != "f" && value.bytes != "false";
        case wire::ValueKind::binary:
            // boolsend: one byte 0 or 1.
            return !(value.bytes.size() == 1 && value.bytes[0] == '\0');
    }
    return std::nullopt;
}

}  // namespace tidemark::conflict
