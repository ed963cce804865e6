// ApplySession: the target connection changes are applied on.  Owns its
// session settings (replica role, synchronous commit, the source's
// encoding and date styles), its binding to the replication origin, and
// running a list of statements as one libpq pipeline: every statement is
// sent before any result is read, so a batch costs about one round trip.
// Must not: decide what to do when a statement fails (the BatchWriter
// does); it reports which one failed and why.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "apply/statement.hpp"
#include "checkpoint/replication_origin.hpp"
#include "pg/connection.hpp"
#include "pg/database_error.hpp"

namespace tidemark::apply {

struct PipelineOutcome {
    // Index of the first statement that failed, with its error; the
    // statements after it were skipped by the server.
    std::optional<std::size_t> failed_index;
    std::optional<pg::DatabaseError> error;

    bool ok() const noexcept { return !error.has_value(); }
};

struct SessionSettings {
    // The source's server_encoding: text values arrive in it.
    std::string client_encoding;
};

class ApplySession {
public:
    // Connects, sets the session up and binds it to `origin`.  Throws
    // pg::DatabaseError.
    static ApplySession open(const std::string& conninfo, const checkpoint::ReplicationOrigin& origin,
                             const SessionSettings& settings);

    explicit ApplySession(pg::Connection conn) noexcept : conn_(std::move(conn)) {}

    // Named statements prepared on this connection so far.
    std::size_t prepared_statements() const noexcept { return prepared_.size(); }

    pg::Connection& connection() noexcept { return conn_; }

    // A transaction block is open (possibly failed).
    bool in_transaction() const noexcept;
    bool transaction_failed() const noexcept;
    // BEGIN now, unless a transaction is open.
    void begin();
    // ROLLBACK if a transaction is open; never throws for a lost connection
    // (there is nothing to roll back then).
    void rollback() noexcept;

    // Sends every statement in pipeline mode and reads every result.
    // Throws pg::DatabaseError only when the connection fails.
    PipelineOutcome run(std::span<Statement> statements);
    PipelineOutcome run(Statement statement);

private:
    std::unordered_map<std::string, std::string> prepared_;  // SQL text and parameter types -> statement name
    std::size_t next_statement_id_ = 1;
    pg::Connection conn_;
};

}  // namespace tidemark::apply
