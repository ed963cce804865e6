// See database_error.hpp.
#include "pg/database_error.hpp"

namespace tidemark::pg {
namespace {

std::string field(const PGresult* result, int code) {
    const char* v = result ? PQresultErrorField(result, code) : nullptr;
    return v ? std::string(v) : std::string();
}

// libpq messages end with a newline and may start with "ERROR:  " when
// they come from PQerrorMessage; keep the text only.
std::string tidy(std::string message) {
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    for (std::string_view prefix : {"ERROR:  ", "FATAL:  ", "PANIC:  "}) {
        if (message.starts_with(prefix)) message.erase(0, prefix.size());
    }
    // libpq continues long messages on indented lines; one line reads
    // better in logs and in check-config's list.
    std::string out;
    out.reserve(message.size());
    for (std::size_t i = 0; i < message.size(); ++i) {
        if (message[i] != '\n') {
            out += message[i];
            continue;
        }
        while (i + 1 < message.size() && (message[i + 1] == '\t' || message[i + 1] == ' ')) ++i;
        out += ' ';
    }
    return out;
}

std::string compose(const std::string& context, const std::string& sqlstate, const std::string& primary,
                    const std::string& detail, const std::string& hint) {
    std::string out = context.empty() ? primary : context + ": " + primary;
    if (!sqlstate.empty()) out += " (SQLSTATE " + sqlstate + ")";
    if (!detail.empty()) out += "; detail: " + detail;
    if (!hint.empty()) out += "; hint: " + hint;
    return out;
}

}  // namespace

bool is_connection_error(std::string_view sqlstate) noexcept {
    if (sqlstate.size() != 5) return false;
    if (sqlstate.starts_with("08")) return true;
    return sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

bool is_transient_error(std::string_view sqlstate) noexcept {
    if (sqlstate.size() != 5) return false;
    if (sqlstate.starts_with("40")) return true;
    if (sqlstate.starts_with("53")) return sqlstate != "53400";
    return sqlstate == "55P03" || sqlstate == "57014" || sqlstate == "25006";
}

DatabaseError::DatabaseError(std::string sqlstate, std::string primary, std::string detail, std::string hint,
                             std::string context, bool connection_lost)
    : std::runtime_error(compose(context, sqlstate, primary, detail, hint)),
      sqlstate_(std::move(sqlstate)),
      primary_(std::move(primary)),
      detail_(std::move(detail)),
      hint_(std::move(hint)),
      context_(std::move(context)),
      connection_lost_(connection_lost) {}

DatabaseError DatabaseError::from_result(const PGresult* result, const PGconn* conn, std::string context) {
    // After FATAL or PANIC the server closes the session, even if libpq
    // has not seen the socket close yet.
    std::string severity = field(result, PG_DIAG_SEVERITY_NONLOCALIZED);
    bool lost = (conn && PQstatus(conn) == CONNECTION_BAD) || severity == "FATAL" || severity == "PANIC";
    std::string sqlstate = field(result, PG_DIAG_SQLSTATE);
    std::string primary = field(result, PG_DIAG_MESSAGE_PRIMARY);
    if (primary.empty()) {
        // Errors made by libpq itself carry no fields, only a message.
        const char* msg = result ? PQresultErrorMessage(result) : nullptr;
        primary = tidy(msg && *msg ? msg : (conn ? PQerrorMessage(conn) : "unknown error"));
    }
    // Whatever the server said last (57P01 for a terminated backend, say),
    // a session that is gone is reported as class 08 so callers need one
    // test to know they must reconnect; the server's code stays in the text.
    if (lost && !sqlstate.starts_with("08")) {
        if (!sqlstate.empty()) primary += " (server SQLSTATE " + sqlstate + ")";
        sqlstate = std::string(kConnectionFailure);
    }
    return DatabaseError(std::move(sqlstate), std::move(primary), field(result, PG_DIAG_MESSAGE_DETAIL),
                         field(result, PG_DIAG_MESSAGE_HINT), std::move(context), lost);
}

DatabaseError DatabaseError::from_connection(const PGconn* conn, std::string context) {
    std::string primary = conn ? tidy(PQerrorMessage(conn)) : std::string("out of memory creating a connection");
    if (primary.empty()) primary = "connection failure";
    bool lost = !conn || PQstatus(conn) == CONNECTION_BAD;
    std::string sqlstate = lost ? std::string(kConnectionFailure) : std::string();
    return DatabaseError(std::move(sqlstate), std::move(primary), "", "", std::move(context), lost);
}

bool DatabaseError::is_connection_error() const noexcept {
    return connection_lost_ || pg::is_connection_error(sqlstate_);
}

}  // namespace tidemark::pg
