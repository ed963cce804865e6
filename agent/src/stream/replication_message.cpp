// See replication_message.hpp.
#include "stream/replication_message.hpp"

#include <fmt/format.h>

#include "pg/database_error.hpp"

namespace tidemark::stream {
namespace {

std::uint64_t be64(std::string_view data, std::size_t at) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(data[at + i]);
    return v;
}

void put_be64(std::string& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

[[noreturn]] void violation(const std::string& what) {
    throw pg::DatabaseError("08P01", what, "", "", "while reading the replication stream", true);
}

}  // namespace

ServerMessage parse_server_message(std::string_view data) {
    if (data.empty()) violation("empty CopyData message in the replication stream");
    switch (data[0]) {
        case 'w': {
            constexpr std::size_t header = 1 + 8 + 8 + 8;
            if (data.size() < header)
                violation("XLogData message of " + std::to_string(data.size()) + " bytes is shorter than its header");
            return XLogDataHeader{pg::Lsn(be64(data, 1)), pg::Lsn(be64(data, 9)),
                                  static_cast<std::int64_t>(be64(data, 17)), header};
        }
        case 'k': {
            constexpr std::size_t size = 1 + 8 + 8 + 1;
            if (data.size() < size)
                violation("keepalive message of " + std::to_string(data.size()) + " bytes is too short");
            return Keepalive{pg::Lsn(be64(data, 1)), static_cast<std::int64_t>(be64(data, 9)), data[17] != 0};
        }
        default:
            violation(fmt::format("unexpected message type 0x{:02x} in the replication stream",
                                  static_cast<unsigned char>(data[0])));
    }
}

std::string encode_standby_status(pg::Lsn written, pg::Lsn flushed, pg::Lsn applied, std::int64_t now,
                                  bool reply_requested) {
    std::string out;
    out.reserve(34);
    out += 'r';
    put_be64(out, written.value());
    put_be64(out, flushed.value());
    put_be64(out, applied.value());
    put_be64(out, static_cast<std::uint64_t>(now));
    out += reply_requested ? '\1' : '\0';
    return out;
}

}  // namespace tidemark::stream
