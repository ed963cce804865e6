// See slot_info.hpp.
#include "stream/slot_info.hpp"

namespace tidemark::stream {

std::optional<SlotInfo> slot_info(pg::Connection& conn, std::string_view slot_name) {
    pg::Result r = conn.exec_params(
        "SELECT slot_name, coalesce(plugin, ''), slot_type, coalesce(database, ''), temporary, active, active_pid, "
        "restart_lsn, confirmed_flush_lsn, coalesce(wal_status, '') "
        "FROM pg_catalog.pg_replication_slots WHERE slot_name = $1",
        pg::TextParams{std::string(slot_name)}, "while reading replication slot " + std::string(slot_name));
    if (r.rows() == 0) return std::nullopt;
    SlotInfo s;
    s.slot_name = std::string(r.value(0, 0));
    s.plugin = std::string(r.value(0, 1));
    s.slot_type = std::string(r.value(0, 2));
    s.database = std::string(r.value(0, 3));
    s.temporary = r.value(0, 4) == "t";
    s.active = r.value(0, 5) == "t";
    if (auto pid = r.optional_value(0, 6)) s.active_pid = std::stoi(std::string(*pid));
    if (auto lsn = r.optional_value(0, 7)) s.restart_lsn = pg::Lsn::parse(*lsn);
    if (auto lsn = r.optional_value(0, 8)) s.confirmed_flush_lsn = pg::Lsn::parse(*lsn);
    s.wal_status = std::string(r.value(0, 9));
    return s;
}

}  // namespace tidemark::stream
