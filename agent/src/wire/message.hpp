// The decoded form of every message in decoder/tidemark_protocol.h.
// Values, names and payloads are string_views into the payload buffer the
// caller passed to the Parser and must keep alive; only Relation owns its
// strings, because consumers cache it long after its payload is gone.
// Must not: hold anything the protocol header does not define.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tidemark_protocol.h"

namespace tidemark::wire {

enum class ValueKind : std::uint8_t {
    null = TM_VALUE_NULL,
    unchanged_toast = TM_VALUE_UNCHANGED_TOAST,
    text = TM_VALUE_TEXT,
    binary = TM_VALUE_BINARY,
};

struct Value {
    ValueKind kind = ValueKind::null;
    std::string_view bytes;  // empty unless text or binary
};

using Tuple = std::vector<Value>;

struct Begin {
    std::uint64_t final_lsn = 0;
    std::int64_t commit_time = 0;
    std::uint64_t xid = 0;
    std::uint8_t flags = 0;
    std::optional<std::string_view> origin_name;  // set with TM_BEGIN_HAS_ORIGIN
    std::uint64_t origin_lsn = 0;
};

struct Commit {
    std::uint8_t flags = 0;
    std::uint64_t commit_lsn = 0;
    std::uint64_t end_lsn = 0;
    std::int64_t commit_time = 0;
};

enum class ReplicaIdentity : char {
    default_key = TM_RI_DEFAULT,
    nothing = TM_RI_NOTHING,
    full = TM_RI_FULL,
    index = TM_RI_INDEX,
};

struct Column {
    std::string name;
    std::uint32_t type_oid = 0;
    std::int32_t typmod = -1;
    std::string type_name;  // empty for built-in types
    bool identity = false;
    bool primary_key = false;
    bool not_null = false;
};

struct Relation {
    std::optional<std::uint64_t> xid;  // set inside a streamed block
    std::uint32_t relid = 0;
    std::uint64_t schema_version = 0;
    std::string ns;
    std::string name;
    ReplicaIdentity replica_identity = ReplicaIdentity::default_key;
    std::vector<Column> columns;
};

// Which old tuple an UPDATE or DELETE carries.
enum class OldKind : std::uint8_t {
    none = 0,
    key = TM_OLD_KEY,    // the replica identity columns, others NULL
    full = TM_OLD_FULL,  // the whole old row (REPLICA IDENTITY FULL)
};

struct Insert {
    std::optional<std::uint64_t> xid;
    std::uint32_t relid = 0;
    Tuple new_tuple;
};

struct Update {
    std::optional<std::uint64_t> xid;
    std::uint32_t relid = 0;
    OldKind old_kind = OldKind::none;
    Tuple old_tuple;  // empty when old_kind is none
    Tuple new_tuple;
};

struct Delete {
    std::optional<std::uint64_t> xid;
    std::uint32_t relid = 0;
    OldKind old_kind = OldKind::none;
    Tuple old_tuple;  // empty when old_kind is none (REPLICA IDENTITY NOTHING)
};

struct Truncate {
    std::optional<std::uint64_t> xid;
    bool cascade = false;
    bool restart_identity = false;
    std::vector<std::uint32_t> relids;
};

struct LogicalMessage {
    std::optional<std::uint64_t> xid;
    bool transactional = false;
    std::uint64_t lsn = 0;
    std::string_view prefix;
    std::string_view content;
};

struct StreamStart {
    std::uint64_t xid = 0;
    bool first = false;
};

struct StreamStop {};

struct StreamCommit {
    std::uint64_t xid = 0;
    std::uint8_t flags = 0;
    std::uint64_t commit_lsn = 0;
    std::uint64_t end_lsn = 0;
    std::int64_t commit_time = 0;
};

struct StreamAbort {
    std::uint64_t xid = 0;
    std::uint64_t subxid = 0;
};

// A message type this reader does not know, skipped by its length.
struct Unknown {
    std::uint8_t code = 0;  // the whole type byte, TM_XID_PREFIXED included
    std::string_view body;
};

using Message = std::variant<Begin, Commit, Relation, Insert, Update, Delete, Truncate, LogicalMessage, StreamStart,
                             StreamStop, StreamCommit, StreamAbort, Unknown>;

// "begin", "commit", "relation", ... as in tidemark.to_json's "type" key.
std::string_view type_name(const Message& message) noexcept;

}  // namespace tidemark::wire
