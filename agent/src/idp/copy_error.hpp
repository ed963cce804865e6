// The exceptions of the Initial Data Package that are not database errors:
// CopyError for a copy that cannot be trusted or cannot start (a row count
// that differs from the snapshot's, a target table that does not fit the
// source), CopyInterrupted when a stop was requested.
// Must not: wrap pg::DatabaseError (callers need its SQLSTATE as is).
#pragma once

#include <stdexcept>
#include <string>

namespace tidemark::idp {

class CopyError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class CopyInterrupted : public std::runtime_error {
public:
    CopyInterrupted();
};

}  // namespace tidemark::idp
