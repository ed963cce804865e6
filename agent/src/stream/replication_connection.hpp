// ReplicationConnection: a replication=database connection to the source
// and the walsender commands tidemark uses on it (IDENTIFY_SYSTEM,
// CREATE_REPLICATION_SLOT, DROP_REPLICATION_SLOT).  START_REPLICATION is
// StreamReader's, which takes the connection over.
// Must not: run anything on the connection while an exported snapshot is
// in use (the snapshot lives only until the next command).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace tidemark::stream {

struct SystemIdentity {
    std::string system_id;
    std::uint32_t timeline = 0;
    pg::Lsn wal_position;
    std::string database;
};

enum class SlotSnapshot {
    export_snapshot,  // export one for SET TRANSACTION SNAPSHOT (the Initial Data Package)
    noexport,         // do not export one (SNAPSHOT 'nothing')
};

struct CreateSlotOptions {
    SlotSnapshot snapshot = SlotSnapshot::export_snapshot;
    // Dropped by the server when this connection ends.
    bool temporary = false;
};

struct CreatedSlot {
    std::string slot_name;
    pg::Lsn consistent_point;
    // Set with SlotSnapshot::export_snapshot, valid only while this
    // connection stays idle.
    std::string snapshot_name;
    std::string output_plugin;
};

class ReplicationConnection {
public:
    static ReplicationConnection connect(const std::string& conninfo, const std::string& application_name = "tidemark");
    explicit ReplicationConnection(pg::Connection conn, std::string conninfo = {}) noexcept
        : conn_(std::move(conn)), conninfo_(std::move(conninfo)) {}

    pg::Connection& connection() noexcept { return conn_; }

    SystemIdentity identify_system();
    // Checks first that the server allows the plugin (PluginNotAllowedError
    // otherwise, naming the line to add to postgresql.conf).  While the
    // server waits for open transactions to end, says which
    // (stream/slot_creation_watch.hpp).
    CreatedSlot create_slot(std::string_view name, const CreateSlotOptions& options = {});
    // WAIT: if the slot is in use, waits for it to become inactive.
    void drop_slot(std::string_view name, bool wait = true);

private:
    pg::Connection conn_;
    std::string conninfo_;  // for the watch's own connection; empty: no watch
};

}  // namespace tidemark::stream
