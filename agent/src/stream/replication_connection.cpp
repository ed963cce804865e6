// See replication_connection.hpp.
#include "stream/replication_connection.hpp"

#include <optional>
#include <stdexcept>

#include "pg/database_error.hpp"
#include "pg/quoting.hpp"
#include "stream/plugin_allowance.hpp"
#include "stream/slot_creation_watch.hpp"

namespace tidemark::stream {
namespace {

[[noreturn]] void unexpected(const pg::Result& r, std::string_view command) {
    throw pg::DatabaseError("08P01",
                            std::string(command) + " returned " + std::to_string(r.rows()) + " rows and " +
                                std::to_string(r.cols()) + " columns",
                            "", "", "while reading the reply to " + std::string(command));
}

}  // namespace

ReplicationConnection ReplicationConnection::connect(const std::string& conninfo, const std::string& application_name) {
    pg::ConnectOptions options;
    options.replication = true;
    options.application_name = application_name;
    return ReplicationConnection(pg::Connection::connect(conninfo, options), conninfo);
}

SystemIdentity ReplicationConnection::identify_system() {
    pg::Result r = conn_.exec("IDENTIFY_SYSTEM", "while identifying the source system");
    if (r.rows() != 1 || r.cols() < 4) unexpected(r, "IDENTIFY_SYSTEM");
    SystemIdentity id;
    id.system_id = std::string(r.value(0, 0));
    id.timeline = static_cast<std::uint32_t>(std::stoul(std::string(r.value(0, 1))));
    id.wal_position = pg::Lsn::parse(r.value(0, 2));
    if (auto db = r.optional_value(0, 3)) id.database = std::string(*db);
    return id;
}

CreatedSlot ReplicationConnection::create_slot(std::string_view name, const CreateSlotOptions& options) {
    PluginAllowance allowance = require_plugin_allowed(conn_);
    std::string sql = "CREATE_REPLICATION_SLOT " + pg::quote_identifier(name);
    if (options.temporary) sql += " TEMPORARY";
    sql += " LOGICAL " + std::string(kPluginName);
    bool new_syntax = conn_.server_version() >= 150000;
    switch (options.snapshot) {
        case SlotSnapshot::export_snapshot: sql += new_syntax ? " (SNAPSHOT 'export')" : " EXPORT_SNAPSHOT"; break;
        case SlotSnapshot::noexport: sql += new_syntax ? " (SNAPSHOT 'nothing')" : " NOEXPORT_SNAPSHOT"; break;
    }
    pg::Result r;
    try {
        std::optional<SlotCreationWatch> watch;
        if (!conninfo_.empty()) watch.emplace(conninfo_, conn_.backend_pid(), std::string(name));
        r = conn_.exec(sql, "while creating replication slot " + std::string(name));
    } catch (const pg::DatabaseError& e) {
        if (is_plugin_refusal(e)) throw PluginNotAllowedError(allowance);
        throw;
    }
    if (r.rows() != 1 || r.cols() < 4) unexpected(r, "CREATE_REPLICATION_SLOT");
    CreatedSlot slot;
    slot.slot_name = std::string(r.value(0, 0));
    slot.consistent_point = pg::Lsn::parse(r.value(0, 1));
    if (auto s = r.optional_value(0, 2)) slot.snapshot_name = std::string(*s);
    if (auto p = r.optional_value(0, 3)) slot.output_plugin = std::string(*p);
    return slot;
}

void ReplicationConnection::drop_slot(std::string_view name, bool wait) {
    std::string sql = "DROP_REPLICATION_SLOT " + pg::quote_identifier(name);
    if (wait) sql += " WAIT";
    conn_.exec(sql, "while dropping replication slot " + std::string(name));
}

}  // namespace tidemark::stream
