// See slot_usage.hpp.
#include "slot/slot_usage.hpp"

namespace tidemark::slot {
namespace {

// On a standby the current position is the replayed one, as in the
// extension's view.
constexpr std::string_view kSlotQuery =
    "SELECT s.slot_name, coalesce(s.plugin, ''), s.active_pid, s.restart_lsn, s.confirmed_flush_lsn, "
    "       pg_catalog.pg_wal_lsn_diff(w.lsn, s.restart_lsn)::bigint, "
    "       coalesce(pg_catalog.pg_size_pretty(pg_catalog.pg_wal_lsn_diff(w.lsn, s.restart_lsn)), ''), "
    "       pg_catalog.pg_wal_lsn_diff(w.lsn, s.confirmed_flush_lsn)::bigint, "
    "       coalesce(pg_catalog.pg_size_pretty(pg_catalog.pg_wal_lsn_diff(w.lsn, s.confirmed_flush_lsn)), ''), "
    "       coalesce(s.wal_status, ''), s.safe_wal_size "
    "  FROM pg_catalog.pg_replication_slots AS s, "
    "       LATERAL (SELECT CASE WHEN pg_catalog.pg_is_in_recovery() "
    "                            THEN pg_catalog.pg_last_wal_replay_lsn() "
    "                            ELSE pg_catalog.pg_current_wal_lsn() END AS lsn) AS w "
    " WHERE s.slot_type = 'logical' AND s.database = pg_catalog.current_database() "
    "   AND ($1::text IS NULL OR s.slot_name = $1::text) "
    " ORDER BY s.slot_name";

std::optional<std::int64_t> optional_int(const pg::Result& r, int row, int col) {
    auto text = r.optional_value(row, col);
    if (!text) return std::nullopt;
    return std::stoll(std::string(*text));
}

std::vector<SlotUsage> query(pg::Connection& conn, const std::optional<std::string>& name) {
    pg::Result r = conn.exec_params(kSlotQuery, pg::TextParams{name}, "while reading the source's replication slots");
    std::vector<SlotUsage> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        SlotUsage s;
        s.slot_name = std::string(r.value(i, 0));
        s.plugin = std::string(r.value(i, 1));
        if (auto pid = optional_int(r, i, 2)) s.active_pid = static_cast<int>(*pid);
        if (auto lsn = r.optional_value(i, 3)) s.restart_lsn = pg::Lsn::parse(*lsn);
        if (auto lsn = r.optional_value(i, 4)) s.confirmed_flush_lsn = pg::Lsn::parse(*lsn);
        s.retained_bytes = optional_int(r, i, 5);
        s.retained_pretty = std::string(r.value(i, 6));
        s.lag_bytes = optional_int(r, i, 7);
        s.lag_pretty = std::string(r.value(i, 8));
        s.wal_status = std::string(r.value(i, 9));
        s.safe_wal_size = optional_int(r, i, 10);
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace

std::vector<SlotUsage> logical_slots(pg::Connection& conn) { return query(conn, std::nullopt); }

std::optional<SlotUsage> slot_usage(pg::Connection& conn, std::string_view slot_name) {
    auto slots = query(conn, std::string(slot_name));
    if (slots.empty()) return std::nullopt;
    return std::move(slots.front());
}

}  // namespace tidemark::slot
