// See receive_timeout.hpp.
#include "stream/receive_timeout.hpp"

#include "pg/database_error.hpp"

namespace tidemark::stream {

ReceiveTimeout fit_receive_timeout(pg::Connection& walsender, std::chrono::milliseconds configured) {
    if (configured.count() <= 0) return {};
    std::chrono::milliseconds sender{0};
    try {
        // The session's own value: wal_sender_timeout may be set per role
        // or in the conninfo's options.
        pg::Result r = walsender.exec("SELECT setting FROM pg_catalog.pg_settings WHERE name = 'wal_sender_timeout'",
                                      "while reading the source's wal_sender_timeout");
        if (r.rows() != 1) return {configured, std::nullopt};
        sender = std::chrono::milliseconds(std::stoll(std::string(r.value(0, 0))));
    } catch (const pg::DatabaseError& e) {
        if (e.is_connection_error()) throw;
        return {configured, std::nullopt};
    } catch (const std::exception&) {
        return {configured, std::nullopt};
    }
    if (sender.count() == 0)
        return {std::chrono::milliseconds(0),
                "the source's wal_sender_timeout is 0, so its walsender may stay silent for as long as it works "
                "through a transaction this pipeline does not stream: a silent stream is not taken as lost "
                "([source] receive_timeout does not apply); set wal_sender_timeout on the source to have it"};
    // Half of it, and a quarter to spare; not all of it: a walsender cut
    // off from the agent ends itself after wal_sender_timeout, and the
    // agent's next session should find the slot free.
    const auto floor = sender * 3 / 4;
    if (floor > configured)
        return {floor, "[source] receive_timeout is raised to " + std::to_string(floor.count() / 1000) +
                           " s, three quarters of the source's wal_sender_timeout (" +
                           std::to_string(sender.count() / 1000) +
                           " s): its walsender may stay silent for up to half of that while it works through a "
                           "transaction this pipeline does not stream"};
    return {configured, std::nullopt};
}

}  // namespace tidemark::stream
