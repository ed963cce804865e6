// See decoder_probe.hpp.
#include "stream/decoder_probe.hpp"

#include <unistd.h>

#include "pg/database_error.hpp"
#include "pg/quoting.hpp"
#include "stream/plugin_allowance.hpp"
#include "stream/replication_connection.hpp"

namespace tidemark::stream {

DecoderProbe probe_decoder(const std::string& conninfo, std::chrono::milliseconds timeout) {
    auto repl = ReplicationConnection::connect(conninfo, "tidemark check-config");
    pg::Connection& conn = repl.connection();
    PluginAllowance allowance = check_plugin_allowed(conn);
    if (!allowance.allowed) return {false, true, PluginNotAllowedError(allowance).what()};

    std::string slot = "tidemark_probe_" + std::to_string(::getpid());
    std::string sql = "CREATE_REPLICATION_SLOT " + pg::quote_identifier(slot) + " TEMPORARY LOGICAL " +
                      std::string(kPluginName) +
                      (conn.server_version() >= 150000 ? " (SNAPSHOT 'nothing')" : " NOEXPORT_SNAPSHOT");
    conn.send_query(sql);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (conn.is_busy()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            conn.cancel();
            return {true, false,
                    "loaded; the probe slot was still waiting for open transactions on the source after " +
                        std::to_string(timeout.count()) + "ms"};
        }
        conn.wait_readable(left, "while probing the tidemark decoder");
    }
    std::optional<pg::DatabaseError> error;
    for (pg::Result r = conn.get_result(); r; r = conn.get_result()) {
        ExecStatusType st = r.status();
        if (!error && st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
            error = pg::DatabaseError::from_result(r.native(), conn.native(), "while probing the tidemark decoder");
    }
    if (error) {
        if (error->is_connection_error()) throw *error;
        if (is_plugin_refusal(*error)) return {false, true, PluginNotAllowedError(allowance).what()};
        return {false, false, error->what()};
    }
    return {true, false, "a temporary slot with the tidemark plugin was created"};
}

}  // namespace tidemark::stream
