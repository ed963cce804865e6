// ReviewError: a review-queue request that cannot be carried out as asked
// (an unknown conflict, one already resolved, a target table that is gone).
// The message says what was found and what to do; the command exits 1.
// Must not: be used for database failures (pg::DatabaseError carries those).
#pragma once

#include <stdexcept>
#include <string>

namespace tidemark::conflict_review {

class ReviewError : public std::runtime_error {
public:
    explicit ReviewError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace tidemark::conflict_review
