// DatabaseError: the one exception type for failures reported by PostgreSQL
// or by libpq.  Owns the SQLSTATE, the server's primary message, detail and
// hint, and a context string saying what tidemark was doing.
// Must not: carry a conninfo or any other secret in its text.
#pragma once

#include <libpq-fe.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace tidemark::pg {

// SQLSTATE given to failures that libpq detects itself (no server error),
// such as a dropped connection: class 08 so callers treat them as
// connection losses.
inline constexpr std::string_view kConnectionFailure = "08006";
inline constexpr std::string_view kConnectionDoesNotExist = "08003";

// True for SQLSTATEs after which the session is gone and a retry on a new
// connection is the answer: class 08 (connection exception) and the
// shutdown family 57P01..57P03 (the server is going away or not ready).
bool is_connection_error(std::string_view sqlstate) noexcept;

// True for SQLSTATEs after which the session is fine but the transaction
// was rolled back for a reason that passes: a deadlock or serialization
// failure (class 40), a lock or statement timeout, a cancel by a DBA
// (55P03, 57014), a server out of disk, memory or connections (53 but
// 53400, a configured limit), a server that is read-only for now (25006:
// a standby being promoted).  Running the same work again later is the
// answer, as PostgreSQL's own apply worker does by restarting.
bool is_transient_error(std::string_view sqlstate) noexcept;

class DatabaseError : public std::runtime_error {
public:
    DatabaseError(std::string sqlstate, std::string primary, std::string detail, std::string hint, std::string context,
                  bool connection_lost = false);

    // From a failed result; the connection is consulted to tell whether the
    // session survived: if not, the SQLSTATE is 08006 whatever the server
    // sent (its own code is kept in the message).  `conn` may be null.
    static DatabaseError from_result(const PGresult* result, const PGconn* conn, std::string context);
    // From the connection's last error (PQerrorMessage), for failures with
    // no result (connect, PQconsumeInput, PQputCopyData...).
    static DatabaseError from_connection(const PGconn* conn, std::string context);

    const std::string& sqlstate() const noexcept { return sqlstate_; }
    const std::string& primary() const noexcept { return primary_; }
    const std::string& detail() const noexcept { return detail_; }
    const std::string& hint() const noexcept { return hint_; }
    const std::string& context() const noexcept { return context_; }
    // True when the session is unusable: a connection-class SQLSTATE or a
    // connection that libpq reports as bad.
    bool is_connection_error() const noexcept;
    bool is_transient() const noexcept { return is_transient_error(sqlstate_); }

private:
    std::string sqlstate_;
    std::string primary_;
    std::string detail_;
    std::string hint_;
    std::string context_;
    bool connection_lost_;
};

}  // namespace tidemark::pg
