// Whether a soft-delete column's value marks its row deleted: any value
// but NULL and boolean false (a deleted_at timestamp, an is_deleted flag,
// a reason text).
// Must not: decide what happens to the row (the classifier does).
#pragma once

#include "wire/message.hpp"

namespace tidemark::conflict {

// nullopt when the change does not carry the value (unchanged TOAST).
std::optional<bool> marks_deleted(const wire::Value& value) noexcept;

}  // namespace tidemark::conflict
