// ApplyError: the stream cannot go on without a person deciding something
// (a table or column missing on the target, a change the target refuses
// under on_error = stop, a message the applier cannot place).  The sync
// command ends with exit code 1 and this message; nothing of the source
// transaction in flight is committed, so the slot keeps it.
// Must not: be used for lost connections (pg::DatabaseError, retried).
#pragma once

#include <stdexcept>
#include <string>

namespace tidemark::apply {

class ApplyError : public std::runtime_error {
public:
    explicit ApplyError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace tidemark::apply
