// SyncError: the sync cannot start or go on as configured (a missing or
// unusable slot, state that does not fit the configuration).  The message
// says what is wrong and what to do; the command exits with code 1.
// Must not: be used for lost connections (pg::DatabaseError, retried).
#pragma once

#include <stdexcept>
#include <string>

namespace tidemark::sync {

class SyncError : public std::runtime_error {
public:
    explicit SyncError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace tidemark::sync
