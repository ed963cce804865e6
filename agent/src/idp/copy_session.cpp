// See copy_session.hpp.
#include "idp/copy_session.hpp"

#include "pg/database_error.hpp"
#include "pg/quoting.hpp"
#include "pg/text_settings.hpp"

namespace tidemark::idp {
namespace {

constexpr std::string_view kApplicationName = "tidemark copy";

// A long COPY or an idle snapshot transaction must not be ended by the
// role's own timeouts; text COPY needs the portable text forms.
std::string common_settings(std::string_view client_encoding) {
    return "SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0; " +
           pg::portable_text_sql(client_encoding);
}

pg::Connection connect(const std::string& conninfo,
                       std::chrono::milliseconds reply_timeout = std::chrono::milliseconds(0)) {
    pg::ConnectOptions options;
    options.application_name = std::string(kApplicationName);
    options.reply_timeout = reply_timeout;
    return pg::Connection::connect(conninfo, options);
}

}  // namespace

bool needs_fresh_snapshot(const pg::DatabaseError& e) {
    return e.is_connection_error() && (e.sqlstate() == kSnapshotGone || e.sqlstate() == kChangedSinceSnapshot);
}

void begin_in_snapshot(pg::Connection& source, const Snapshot& snapshot) {
    source.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "while starting a transaction on the source");
    try {
        source.exec("SET TRANSACTION SNAPSHOT " + pg::quote_literal(snapshot.name),
                    "while importing snapshot " + snapshot.name + " (consistent point " +
                        snapshot.consistent_point.to_string() + ")");
    } catch (const pg::DatabaseError& e) {
        if (e.sqlstate() != kSnapshotGone) throw;
        // The session that exported it is gone (the source restarted, or
        // the connection holding the slot's snapshot was cut): an outage
        // like a lost connection.  The sync starts the copy again, and the
        // tables not finished yet are copied from a fresh snapshot.
        throw pg::DatabaseError(e.sqlstate(), "the exported snapshot " + snapshot.name + " no longer exists", "",
                                "", "while importing the copy's snapshot", true);
    }
}

pg::Connection open_source(const std::string& conninfo, std::chrono::milliseconds reply_timeout) {
    pg::Connection conn = connect(conninfo, reply_timeout);
    conn.exec(common_settings(conn.parameter_status("server_encoding")),
              "while setting up a source session for the copy");
    return conn;
}

pg::Connection open_source_in_snapshot(const std::string& conninfo, const Snapshot& snapshot) {
    pg::Connection conn = open_source(conninfo);
    begin_in_snapshot(conn, snapshot);
    return conn;
}

pg::Connection open_target(const std::string& conninfo, const std::string& client_encoding) {
    pg::Connection conn = connect(conninfo);
    // As PostgreSQL's own apply worker: the target's triggers and foreign
    // key checks do not fire for copied rows.
    conn.exec(common_settings(client_encoding) + "; SET session_replication_role = replica; SET synchronous_commit = on",
              "while setting up a target session for the copy");
    return conn;
}

}  // namespace tidemark::idp
