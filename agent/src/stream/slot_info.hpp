// What pg_replication_slots says about one slot, read over a normal SQL
// connection.  Must not: change the slot.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace tidemark::stream {

struct SlotInfo {
    std::string slot_name;
    std::string plugin;     // empty for a physical slot
    std::string slot_type;  // "logical" or "physical"
    std::string database;   // empty for a physical slot
    bool temporary = false;
    bool active = false;
    std::optional<int> active_pid;
    std::optional<pg::Lsn> restart_lsn;
    std::optional<pg::Lsn> confirmed_flush_lsn;
    // "reserved", "extended", "unreserved", "lost"; empty when unknown.
    std::string wal_status;
};

// nullopt when no slot has that name.
std::optional<SlotInfo> slot_info(pg::Connection& conn, std::string_view slot_name);

}  // namespace tidemark::stream
