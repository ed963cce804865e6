// See apply_session.hpp.
#include "apply/apply_session.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace tidemark::apply {
namespace {

// Results are read after each group of this many statements: the server's
// replies to a long row-by-row run must not fill the socket buffers while
// libpq, in blocking mode, is still sending.
constexpr std::size_t kStatementsPerSync = 500;

// A prepared statement is planned for its parameters' types: one SQL text
// sent with other types (the same shape on another table's key type) is
// another statement.
std::string prepared_key(const Statement& st) {
    std::string key = st.sql;
    for (const auto& p : st.params) {
        key += '\0';
        key += std::to_string(p.type);
    }
    return key;
}

bool is_error(ExecStatusType st) {
    return st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR;
}

}  // namespace

ApplySession ApplySession::open(const std::string& conninfo, const checkpoint::ReplicationOrigin& origin,
                                const SessionSettings& settings) {
    pg::ConnectOptions options;
    options.application_name = "tidemark apply";
    ApplySession s(pg::Connection::connect(conninfo, options));
    pg::Connection& c = s.conn_;
    // Replica role: target triggers and foreign keys do not fire for
    // replicated rows, as in PostgreSQL's own apply worker.  Asynchronous
    // commit, as that worker does too: a COMMIT does not wait for its WAL
    // flush; the applier confirms a source position only once the target
    // reports the commit flushed (Applier::durable).  Empty search_path: every name in our SQL is qualified and
    // format_type() qualifies every type outside pg_catalog.  The date and
    // interval styles are the ones the walsender prints text values in.
    c.exec("SET session_replication_role = replica",
           "while setting up the apply session (session_replication_role "
           "= replica needs a superuser or a role allowed to set it)");
    // The role's or database's timeouts are meant for its interactive
    // users: a large TRUNCATE's DELETE, a lock a DBA holds for a moment, or
    // a target transaction left open while the rest of a long source
    // transaction arrives must not end the apply, as pg_dump and the copy
    // sessions do for theirs.
    c.exec(
        "SET synchronous_commit = off; SET search_path = ''; SET DateStyle = 'ISO, MDY'; "
        "SET IntervalStyle = postgres; SET extra_float_digits = 3; SET statement_timeout = 0; "
        "SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0",
        "while setting up the apply session");
    if (!settings.client_encoding.empty())
        c.exec_params("SELECT pg_catalog.set_config('client_encoding', $1, false)",
                      pg::TextParams{settings.client_encoding}, "while setting the apply session's encoding");
    origin.setup_session(c);
    return s;
}

bool ApplySession::in_transaction() const noexcept {
    if (!conn_.native()) return false;
    PGTransactionStatusType st = PQtransactionStatus(conn_.native());
    return st == PQTRANS_INTRANS || st == PQTRANS_INERROR || st == PQTRANS_ACTIVE;
}

bool ApplySession::transaction_failed() const noexcept {
    return conn_.native() && PQtransactionStatus(conn_.native()) == PQTRANS_INERROR;
}

void ApplySession::begin() {
    if (!in_transaction()) conn_.exec("BEGIN", "while starting a target transaction");
}

void ApplySession::rollback() noexcept {
    if (!conn_.is_ok() || !in_transaction()) return;
    try {
        conn_.exec("ROLLBACK", "while rolling back a target transaction");
    } catch (...) {
        // The session is gone or broken; the server rolls back on its own.
    }
}

PipelineOutcome ApplySession::run(Statement statement) { return run(std::span<Statement>(&statement, 1)); }

PipelineOutcome ApplySession::run(std::span<Statement> statements) {
    PipelineOutcome outcome;
    if (statements.empty()) return outcome;
    auto context = [&](std::size_t i) {
        return statements[i].context.empty() ? std::string("while applying changes") : statements[i].context;
    };
    // Reads one result (and the null that ends it) for statement i.
    auto read_result = [&](std::size_t i) {
        pg::Result r = conn_.get_result();
        if (!r) throw pg::DatabaseError("08P01", "a pipelined statement returned no result", "", "", context(i));
        if (is_error(r.status()) && !outcome.error) {
            outcome.failed_index = i;
            outcome.error = pg::DatabaseError::from_result(r.native(), conn_.native(), context(i));
            // Nothing more will come from a lost connection.
            if (outcome.error->is_connection_error()) throw *outcome.error;
        } else if (statements[i].result && !is_error(r.status())) {
            *statements[i].result = std::move(r);
        }
        while (conn_.get_result()) {
        }
    };
    conn_.enter_pipeline();
    std::size_t next = 0;
    while (next < statements.size() && outcome.ok()) {
        std::size_t end = std::min(statements.size(), next + kStatementsPerSync);
        // Statements whose Parse is sent in this group: a Parse the server
        // skipped after an earlier error leaves no statement behind, so
        // those names are forgotten again when the group fails.
        std::vector<std::size_t> parsed;
        for (std::size_t i = next; i < end; ++i) {
            Statement& st = statements[i];
            if (!st.reusable) {
                conn_.send_query_params(st.sql, st.params);
                continue;
            }
            auto it = prepared_.find(prepared_key(st));
            if (it == prepared_.end()) {
                std::string name = "tidemark_" + std::to_string(next_statement_id_++);
                conn_.send_prepare(name, st.sql, st.params);
                it = prepared_.emplace(prepared_key(st), std::move(name)).first;
                parsed.push_back(i);
            }
            conn_.send_prepared(it->second, st.params);
        }
        conn_.pipeline_sync();
        std::size_t p = 0;
        for (std::size_t i = next; i < end; ++i) {
            if (p < parsed.size() && parsed[p] == i) {
                read_result(i);
                ++p;
            }
            read_result(i);
        }
        pg::Result sync = conn_.get_result();
        if (!conn_.is_ok()) throw pg::DatabaseError::from_connection(conn_.native(), "while applying changes");
        if (!sync || sync.status() != PGRES_PIPELINE_SYNC)
            throw pg::DatabaseError("08P01", "the pipeline's sync point was not where expected", "", "",
                                    "while applying changes");
        if (!outcome.ok())
            for (std::size_t i : parsed)
                if (i >= *outcome.failed_index) prepared_.erase(prepared_key(statements[i]));
        next = end;
    }
    conn_.exit_pipeline();
    return outcome;
}

}  // namespace tidemark::apply
