// in_transaction: runs a body in one transaction on a connection, commits
// it, or rolls it back and rethrows the body's error.  Must not: swallow
// the first error (a failed ROLLBACK on a broken session is secondary).
#pragma once

#include <string_view>

#include "pg/connection.hpp"

namespace tidemark::pg {

template <typename Body>
void in_transaction(Connection& conn, std::string_view context, Body&& body) {
    conn.exec("BEGIN", context);
    try {
        body();
        conn.exec("COMMIT", context);
    } catch (...) {
        if (conn.is_ok()) {
            try {
                conn.exec("ROLLBACK", context);
            } catch (...) {
                // The body's error is the one worth reporting.
            }
        }
        throw;
    }
}

}  // namespace tidemark::pg
