// See parser.hpp.  One function per message type; each reads the body
// through a ByteCursor that knows the body's place in the payload, and
// refuses reserved flag bits and trailing bytes, so that a change of the
// format is noticed rather than misread.
#include "wire/parser.hpp"

#include <string>

#include "pg/timestamp.hpp"
#include "tidemark_protocol.h"
#include "wire/byte_cursor.hpp"
#include "wire/format_error.hpp"

namespace tidemark::wire {
namespace {

std::string hex_byte(std::uint8_t v) {
    constexpr char digits[] = "0123456789abcdef";
    return std::string("0x") + digits[v >> 4] + digits[v & 0xF];
}

std::uint8_t flags(ByteCursor& in, std::uint8_t allowed, const char* what) {
    std::size_t at = in.offset();
    std::uint8_t f = in.u8(what);
    if (f & ~allowed) in.fail(at, std::string(what) + " " + hex_byte(f) + " has reserved bits set");
    return f;
}

// Counts are bounded by the bytes left (every element takes at least
// `min_size` bytes), so a corrupt count cannot make us reserve gigabytes.
std::size_t count(ByteCursor& in, std::size_t min_size, const char* what) {
    std::size_t at = in.offset();
    std::uint64_t n = in.uvar(what);
    if (n > in.remaining() / min_size)
        in.fail(at, std::string(what) + " " + std::to_string(n) + " is more than the " +
                        std::to_string(in.remaining()) + " bytes left can hold");
    return static_cast<std::size_t>(n);
}

// Names, prefixes and text values: a NUL byte cannot come from the
// server's output functions, and libpq would cut a text parameter there.
std::string_view text(ByteCursor& in, const char* what) {
    std::size_t at = in.offset();
    std::string_view s = in.str(what);
    if (s.find('\0') != std::string_view::npos) in.fail(at, std::string(what) + " contains a NUL byte");
    return s;
}

// PostgreSQL commit times; the reader refuses anything outside years
// 1..9999 as corrupt, and so does this parser.
std::int64_t time(ByteCursor& in, const char* what) {
    std::size_t at = in.offset();
    std::int64_t t = in.i64(what);
    if (!pg::in_four_digit_years(t))
        in.fail(at, std::string(what) + " " + std::to_string(t) + " is outside years 1 to 9999");
    return t;
}

Tuple tuple(ByteCursor& in, const char* what) {
    std::size_t n = count(in, 1, what);
    Tuple t;
    t.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t at = in.offset();
        std::uint64_t h = in.uvar("value header");
        std::uint64_t length = h >> TM_VALUE_LENGTH_SHIFT;
        auto kind = static_cast<ValueKind>(h & TM_VALUE_KIND_MASK);
        if (kind == ValueKind::null || kind == ValueKind::unchanged_toast) {
            if (length != 0)
                in.fail(at, "value header " + std::to_string(h) + " gives a length to a value without data");
            t.push_back(Value{kind, {}});
            continue;
        }
        if (length > TM_MAX_VALUE_LENGTH)
            in.fail(at, "value length " + std::to_string(length) + " exceeds the 1 GB limit");
        std::string_view bytes = in.take(static_cast<std::size_t>(length), "value");
        if (kind == ValueKind::text && bytes.find('\0') != std::string_view::npos)
            in.fail(at, "text value contains a NUL byte");
        t.push_back(Value{kind, bytes});
    }
    return t;
}

OldKind old_kind(std::uint8_t f, ByteCursor& in, std::size_t at) {
    if (f == (TM_OLD_KEY | TM_OLD_FULL)) in.fail(at, "flags " + hex_byte(f) + " say both old key and old row");
    if (f & TM_OLD_KEY) return OldKind::key;
    if (f & TM_OLD_FULL) return OldKind::full;
    return OldKind::none;
}

Begin begin(ByteCursor& in) {
    Begin m;
    m.final_lsn = in.uvar("final_lsn");
    m.commit_time = time(in, "commit_time");
    m.xid = in.uvar("xid");
    m.flags = flags(in, TM_BEGIN_HAS_ORIGIN, "BEGIN flags");
    if (m.flags & TM_BEGIN_HAS_ORIGIN) {
        m.origin_name = text(in, "origin_name");
        m.origin_lsn = in.uvar("origin_lsn");
    }
    return m;
}

Commit commit(ByteCursor& in) {
    Commit m;
    m.flags = flags(in, 0, "COMMIT flags");
    m.commit_lsn = in.uvar("commit_lsn");
    m.end_lsn = in.uvar("end_lsn");
    m.commit_time = time(in, "commit_time");
    return m;
}

Relation relation(ByteCursor& in) {
    Relation m;
    m.relid = in.uvar32("relid");
    m.schema_version = in.uvar("schema_version");
    m.ns = text(in, "namespace");
    m.name = text(in, "relation name");
    std::size_t at = in.offset();
    std::uint8_t ri = in.u8("replica_identity");
    if (ri != TM_RI_DEFAULT && ri != TM_RI_NOTHING && ri != TM_RI_FULL && ri != TM_RI_INDEX)
        in.fail(at, "replica_identity " + hex_byte(ri) + " is not one of 'd', 'n', 'f', 'i'");
    m.replica_identity = static_cast<ReplicaIdentity>(ri);
    // flags, name length, type oid, typmod, type name length: 5 bytes at least.
    std::size_t n = count(in, 5, "column count");
    m.columns.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        Column c;
        std::uint8_t f = flags(in, TM_COL_IDENTITY | TM_COL_PRIMARY_KEY | TM_COL_NOT_NULL, "column flags");
        c.identity = f & TM_COL_IDENTITY;
        c.primary_key = f & TM_COL_PRIMARY_KEY;
        c.not_null = f & TM_COL_NOT_NULL;
        c.name = text(in, "column name");
        c.type_oid = in.uvar32("type_oid");
        std::size_t typmod_at = in.offset();
        std::int64_t typmod = in.svar("typmod");
        if (typmod < INT32_MIN || typmod > INT32_MAX)
            in.fail(typmod_at, "typmod " + std::to_string(typmod) + " does not fit 32 bits");
        c.typmod = static_cast<std::int32_t>(typmod);
        c.type_name = text(in, "type_name");
        m.columns.push_back(std::move(c));
    }
    return m;
}

Insert insert(ByteCursor& in) {
    Insert m;
    m.relid = in.uvar32("relid");
    m.new_tuple = tuple(in, "new tuple column count");
    return m;
}

Update update(ByteCursor& in) {
    Update m;
    m.relid = in.uvar32("relid");
    std::size_t at = in.offset();
    m.old_kind = old_kind(flags(in, TM_OLD_KEY | TM_OLD_FULL, "UPDATE flags"), in, at);
    if (m.old_kind != OldKind::none) m.old_tuple = tuple(in, "old tuple column count");
    m.new_tuple = tuple(in, "new tuple column count");
    return m;
}

Delete del(ByteCursor& in) {
    Delete m;
    m.relid = in.uvar32("relid");
    std::size_t at = in.offset();
    m.old_kind = old_kind(flags(in, TM_OLD_KEY | TM_OLD_FULL, "DELETE flags"), in, at);
    if (m.old_kind != OldKind::none) m.old_tuple = tuple(in, "old tuple column count");
    return m;
}

Truncate truncate(ByteCursor& in) {
    Truncate m;
    std::uint8_t f = flags(in, TM_TRUNCATE_CASCADE | TM_TRUNCATE_RESTART_IDENTITY, "TRUNCATE flags");
    m.cascade = f & TM_TRUNCATE_CASCADE;
    m.restart_identity = f & TM_TRUNCATE_RESTART_IDENTITY;
    std::size_t n = count(in, 1, "relation count");
    m.relids.reserve(n);
    for (std::size_t i = 0; i < n; ++i) m.relids.push_back(in.uvar32("relid"));
    return m;
}

LogicalMessage logical_message(ByteCursor& in) {
    LogicalMessage m;
    m.transactional = flags(in, TM_MESSAGE_TRANSACTIONAL, "MESSAGE flags") & TM_MESSAGE_TRANSACTIONAL;
    m.lsn = in.uvar("lsn");
    m.prefix = text(in, "prefix");
    m.content = in.str("content");
    return m;
}

StreamStart stream_start(ByteCursor& in) {
    StreamStart m;
    m.xid = in.uvar("xid");
    m.first = flags(in, TM_STREAM_FIRST, "STREAM_START flags") & TM_STREAM_FIRST;
    return m;
}

StreamCommit stream_commit(ByteCursor& in) {
    StreamCommit m;
    m.xid = in.uvar("xid");
    m.flags = flags(in, 0, "STREAM_COMMIT flags");
    m.commit_lsn = in.uvar("commit_lsn");
    m.end_lsn = in.uvar("end_lsn");
    m.commit_time = time(in, "commit_time");
    return m;
}

StreamAbort stream_abort(ByteCursor& in) {
    StreamAbort m;
    m.xid = in.uvar("xid");
    m.subxid = in.uvar("subxid");
    return m;
}

// Changes that may carry TM_XID_PREFIXED get the xid before their body.
template <typename M, typename F>
Message prefixed(ByteCursor& in, bool has_xid, F parse) {
    std::optional<std::uint64_t> xid;
    if (has_xid) xid = in.uvar("xid");
    M m = parse(in);
    m.xid = xid;
    return m;
}

const char* message_name(std::uint8_t code) {
    switch (code) {
        case TM_MSG_BEGIN: return "BEGIN";
        case TM_MSG_COMMIT: return "COMMIT";
        case TM_MSG_RELATION: return "RELATION";
        case TM_MSG_INSERT: return "INSERT";
        case TM_MSG_UPDATE: return "UPDATE";
        case TM_MSG_DELETE: return "DELETE";
        case TM_MSG_TRUNCATE: return "TRUNCATE";
        case TM_MSG_MESSAGE: return "MESSAGE";
        case TM_MSG_STREAM_START: return "STREAM_START";
        case TM_MSG_STREAM_STOP: return "STREAM_STOP";
        case TM_MSG_STREAM_COMMIT: return "STREAM_COMMIT";
        case TM_MSG_STREAM_ABORT: return "STREAM_ABORT";
        default: return nullptr;
    }
}

Message body(ByteCursor& in, std::uint8_t type, std::size_t type_offset) {
    std::uint8_t code = type & TM_MSG_TYPE_MASK;
    bool has_xid = (type & TM_XID_PREFIXED) != 0;
    const char* name = message_name(code);
    if (!name) return Unknown{type, in.take(in.remaining(), "body")};
    switch (code) {
        case TM_MSG_RELATION: return prefixed<Relation>(in, has_xid, relation);
        case TM_MSG_INSERT: return prefixed<Insert>(in, has_xid, insert);
        case TM_MSG_UPDATE: return prefixed<Update>(in, has_xid, update);
        case TM_MSG_DELETE: return prefixed<Delete>(in, has_xid, del);
        case TM_MSG_TRUNCATE: return prefixed<Truncate>(in, has_xid, truncate);
        case TM_MSG_MESSAGE: return prefixed<LogicalMessage>(in, has_xid, logical_message);
        default: break;
    }
    if (has_xid) in.fail(type_offset, std::string(name) + " cannot carry the xid prefix (type " + hex_byte(type) + ")");
    switch (code) {
        case TM_MSG_BEGIN: return begin(in);
        case TM_MSG_COMMIT: return commit(in);
        case TM_MSG_STREAM_START: return stream_start(in);
        case TM_MSG_STREAM_STOP: return StreamStop{};
        case TM_MSG_STREAM_COMMIT: return stream_commit(in);
        default: return stream_abort(in);
    }
}

}  // namespace

Message Parser::next() {
    ByteCursor header(payload_.substr(offset_), offset_);
    std::size_t type_offset = header.offset();
    std::uint8_t type = header.u8("message type");
    std::size_t length_offset = header.offset();
    std::uint64_t length = header.uvar("message body length");
    if (length > header.remaining())
        header.fail(length_offset, "message body length " + std::to_string(length) + " exceeds the " +
                                       std::to_string(header.remaining()) + " bytes left in the payload");
    std::size_t body_offset = header.offset();
    ByteCursor in(payload_.substr(body_offset, static_cast<std::size_t>(length)), body_offset);
    Message m = body(in, type, type_offset);
    const char* name = message_name(type & TM_MSG_TYPE_MASK);
    in.expect_end(name ? name : "message");
    offset_ = body_offset + static_cast<std::size_t>(length);
    return m;
}

std::vector<Message> parse_all(std::string_view payload) {
    Parser parser(payload);
    std::vector<Message> out;
    while (!parser.at_end()) out.push_back(parser.next());
    return out;
}

}  // namespace tidemark::wire
