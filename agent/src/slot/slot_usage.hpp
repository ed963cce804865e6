// SlotUsage: what a logical slot of the source database holds back, read
// from pg_replication_slots with the same arithmetic as the extension's
// tidemark.slots view (the agent must work without the extension).
// Must not: change or drop a slot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace tidemark::slot {

struct SlotUsage {
    std::string slot_name;
    std::string plugin;
    std::optional<int> active_pid;
    std::optional<pg::Lsn> restart_lsn;
    std::optional<pg::Lsn> confirmed_flush_lsn;
    // The server's current WAL position minus restart_lsn: what the server
    // must keep for this slot.  Unknown when the slot has no restart_lsn.
    std::optional<std::int64_t> retained_bytes;
    std::string retained_pretty;
    // Minus confirmed_flush_lsn: how far the consumer is behind.
    std::optional<std::int64_t> lag_bytes;
    std::string lag_pretty;
    std::string wal_status;  // empty when the server does not say
    std::optional<std::int64_t> safe_wal_size;
};

// Every logical slot of the connection's database, by name.
std::vector<SlotUsage> logical_slots(pg::Connection& conn);

// nullopt when the database has no logical slot of that name.
std::optional<SlotUsage> slot_usage(pg::Connection& conn, std::string_view slot_name);

}  // namespace tidemark::slot
